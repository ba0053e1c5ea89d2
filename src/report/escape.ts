// Text from the scanned home (paths, names, messages) must never become markup.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (t: string): string => t.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
