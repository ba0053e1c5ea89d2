// Exit codes, one place (README documents them).
export const EXIT_OK = 0;
/** Findings at or above the --fail-on threshold. */
export const EXIT_FINDINGS = 1;
/** Usage or input error: bad flags, a home that cannot be read. */
export const EXIT_USAGE = 2;

/** An error whose message is the whole story: printed on one line, no stack. */
export class UsageError extends Error {}
