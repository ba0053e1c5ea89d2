import { join, sep } from 'node:path';
import type { Document, LineCounter, Node as YamlNode, YAMLMap } from 'yaml';
import { lazyYaml } from '../lazy-yaml.js';
import type { ScanIO } from './fs.js';
import type { VersionPin } from './inventory.js';

// Exact Airflow version evidence that deployments keep outside requirements.txt: Dockerfiles,
// docker-compose files, Helm values and pip freeze / constraints files. Pure parsers plus one
// reader that stays inside the home (top level and one folder down).

export interface VersionFiles {
  pins: VersionPin[];
  /** Things seen that name Airflow but give no version (e.g. `apache/airflow:latest`). */
  notes: string[];
}

export const VERSION_FILE_MAX_BYTES = 64 * 1024;

const empty = (): VersionFiles => ({ pins: [], notes: [] });
const VERSION = String.raw`(\d+\.\d+\.\d+)`;

// Images whose tag carries the Airflow version itself. Astro Runtime tags (astro-runtime:12.1.1,
// runtime:3.0-10) are release numbers of their own and map to Airflow only through Astronomer's
// tables, so they are reported but never used.
const AIRFLOW_IMAGES: { repo: RegExp; tag: RegExp }[] = [
  { repo: /^apache\/airflow$/, tag: new RegExp(`^(?:slim-)?${VERSION}(?:-python\\d+(?:\\.\\d+)?)?$`) },
  { repo: /^bitnami\/airflow(?:-worker|-scheduler)?$/, tag: new RegExp(`^${VERSION}(?:-debian-\\d+-r\\d+)?$`) },
  { repo: /^puckel\/docker-airflow$/, tag: new RegExp(`^${VERSION}$`) },
  // Astronomer Certified: the tag starts with the Airflow version (2.2.5-1-onbuild).
  { repo: /^astronomer\/ap-airflow$/, tag: new RegExp(`^${VERSION}(?:-[\\w.-]+)?$`) },
];
const ASTRO_RUNTIME = /(^|\/)astronomer\/astro-runtime$|^astrocrpublic\.azurecr\.io\/runtime$/;

export type ImageVersion = { version: string } | { note: string } | null;

/** The Airflow version an image reference names; a note when it is an Airflow image without one; null otherwise. */
export function airflowImageVersion(ref: string): ImageVersion {
  const noDigest = ref.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  const colon = noDigest.lastIndexOf(':');
  const hasTag = colon > noDigest.lastIndexOf('/');
  const name = hasTag ? noDigest.slice(0, colon) : noDigest;
  const tag = hasTag ? noDigest.slice(colon + 1) : '';
  if (ASTRO_RUNTIME.test(name)) return { note: `${ref} is an Astro Runtime image: its tag is a Runtime release, not an Airflow version` };
  const parts = name.split('/');
  // A first part with a dot, a port or "localhost" is a registry host.
  const repo = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!) ? parts.slice(1).join('/') : name;
  const image = AIRFLOW_IMAGES.find((i) => i.repo.test(repo.replace(/^library\//, '')));
  if (!image) return null;
  const m = image.tag.exec(tag);
  return m ? { version: m[1]! } : { note: `${ref} names no Airflow version${tag ? '' : ' (no tag means latest)'}` };
}

const PIN = new RegExp(`(?<![\\w.-])apache-airflow(?:\\[[^\\]]*\\])?\\s*===?\\s*${VERSION}(?![\\w.])`, 'i');
const CONSTRAINTS_URL = /\/constraints-(\d+\.\d+\.\d+)\/constraints-/;

/** apache-airflow==X and Airflow constraints URLs in one line of text. */
function pinsInLine(text: string, file: string, line: number): VersionPin[] {
  const out: VersionPin[] = [];
  const pin = PIN.exec(text);
  if (pin) out.push({ version: pin[1]!, source: 'pinned-file', file, line, what: `pins apache-airflow==${pin[1]}` });
  const url = CONSTRAINTS_URL.exec(text);
  if (url) out.push({ version: url[1]!, source: 'pinned-file', file, line, what: `uses Airflow's constraints for ${url[1]}` });
  return out;
}

/** A pip freeze, constraints or extra requirements file. */
export function parsePinFile(text: string, file: string): VersionFiles {
  const out = empty();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.trim()) out.pins.push(...pinsInLine(line, file, i + 1));
  });
  return out;
}

/** Expands $X, ${X} and ${X:-default}; an unknown variable becomes "?" so that no version matches through it. */
export function expandVars(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_all, braced: string | undefined, dflt: string | undefined, bare: string | undefined) => {
    const value = vars.get((braced ?? bare)!);
    return value !== undefined && value !== '' ? value : dflt ?? '?';
  });
}

const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, '$2');

/** Dockerfile instructions with their first line, continuation lines joined. */
function dockerInstructions(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return;
    const continued = /\\\s*$/.test(raw);
    const part = raw.replace(/\\\s*$/, ' ');
    if (current) current.text += part;
    else if (part.trim()) current = { line: i + 1, text: part.trim() };
    if (!continued && current) {
      out.push(current);
      current = null;
    }
  });
  if (current) out.push(current);
  return out;
}

/** FROM lines naming an Airflow image, and apache-airflow pins or constraints URLs in other instructions. */
export function parseDockerfile(text: string, file: string): VersionFiles {
  const out = empty();
  const vars = new Map<string, string>();
  const stages = new Set<string>();
  for (const ins of dockerInstructions(text)) {
    const [, keyword = '', rest = ''] = /^(\w+)\s*(.*)$/.exec(ins.text) ?? [];
    const op = keyword.toUpperCase();
    if (op === 'ARG' || op === 'ENV') {
      // ARG A=1 B=2 / ENV A=1 / ENV A 1 (the old single-variable form)
      const pairs = /^\w+\s+[^=\s]/.test(rest) && op === 'ENV' ? [rest.replace(/\s+/, '=')] : rest.match(/\w+=("[^"]*"|'[^']*'|\S*)/g) ?? [];
      for (const p of pairs) {
        const eq = p.indexOf('=');
        vars.set(p.slice(0, eq), expandVars(unquote(p.slice(eq + 1)), vars));
      }
    } else if (op === 'FROM') {
      const words = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
      const ref = expandVars(words[0] ?? '', vars);
      // FROM <earlier stage> builds on that stage, not on an image.
      if (!stages.has(ref.toLowerCase())) addImage(out, ref, file, ins.line, `FROM ${ref}`);
      if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2].toLowerCase());
    } else {
      out.pins.push(...pinsInLine(expandVars(ins.text, vars), file, ins.line));
    }
  }
  return out;
}

function addImage(out: VersionFiles, ref: string, file: string, line: number, what: string): void {
  const found = airflowImageVersion(ref);
  if (!found) return;
  if ('version' in found) out.pins.push({ version: found.version, source: 'image-tag', file, line, what });
  else out.notes.push(`${file}:${line}: ${found.note}`);
}

function yamlDoc(text: string): { doc: Document; lines: LineCounter } | null {
  const { LineCounter, parseDocument } = lazyYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  return doc.errors.length ? null : { doc, lines };
}

const lineOf = (lines: LineCounter, node: YamlNode | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);

/** `image:` values anywhere in a compose file (services, x-airflow-common anchors), ${VAR:-default} expanded. */
export function parseCompose(text: string, file: string): VersionFiles {
  const out = empty();
  const parsed = yamlDoc(text);
  if (!parsed) return out;
  const { isScalar, visit } = lazyYaml();
  visit(parsed.doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'image' || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      const ref = expandVars(pair.value.value, new Map());
      addImage(out, ref, file, lineOf(parsed.lines, pair.value), `image: ${pair.value.value}`);
    },
  });
  return out;
}

const scalarAt = (map: YAMLMap, key: string) => {
  const node = map.get(key, true);
  return lazyYaml().isScalar(node) && node.value !== null ? { value: String(node.value), node } : null;
};

/**
 * Helm values: the official chart's airflowVersion, defaultAirflowTag (with defaultAirflowRepository)
 * and images.airflow.tag, and any `repository` + `tag` pair naming an Airflow image (the community
 * chart's airflow.image, Bitnami's image).
 */
export function parseHelmValues(text: string, file: string): VersionFiles {
  const out = empty();
  const parsed = yamlDoc(text);
  const { isMap, isScalar, visit } = lazyYaml();
  if (!parsed || !isMap(parsed.doc.contents)) return out;
  const root = parsed.doc.contents;
  const at = (node: YamlNode) => lineOf(parsed.lines, node);
  const declared = scalarAt(root, 'airflowVersion');
  if (declared && new RegExp(`^${VERSION}$`).test(declared.value)) {
    out.pins.push({ version: declared.value, source: 'image-tag', file, line: at(declared.node), what: `airflowVersion: ${declared.value}` });
  }
  const defaultRepo = scalarAt(root, 'defaultAirflowRepository')?.value ?? 'apache/airflow';
  const defaultTag = scalarAt(root, 'defaultAirflowTag');
  if (defaultTag) addImage(out, `${defaultRepo}:${defaultTag.value}`, file, at(defaultTag.node), `defaultAirflowTag: ${defaultTag.value}`);
  visit(parsed.doc, {
    Map(_key, map, path) {
      const tag = scalarAt(map, 'tag');
      if (!tag) return;
      const parentKey = (path.at(-1) as { key?: unknown } | undefined)?.key;
      const grand = path.at(-3) as { key?: unknown } | undefined;
      const isImagesAirflow = isScalar(parentKey) && parentKey.value === 'airflow' && isScalar(grand?.key) && grand.key.value === 'images';
      const repo = scalarAt(map, 'repository')?.value ?? (isImagesAirflow ? defaultRepo : null);
      if (repo) addImage(out, `${repo}:${tag.value}`, file, at(tag.node), `${repo}:${tag.value}`);
    },
  });
  return out;
}

type FileKind = 'dockerfile' | 'compose' | 'helm' | 'pins';

/** Which parser reads a file, by its name (and its folder for requirements/*.txt). */
export function versionFileKind(name: string, folder: string | null): FileKind | null {
  const n = name.toLowerCase();
  if (n === 'dockerfile' || n.startsWith('dockerfile.') || n.endsWith('.dockerfile')) return 'dockerfile';
  if (/^(docker-)?compose[\w.-]*\.ya?ml$/.test(n)) return 'compose';
  if (/^values([-.][\w.-]+)?\.ya?ml$/.test(n)) return 'helm';
  if (/\.txt$/.test(n) && (/freeze|^requirements|^constraints/.test(n) || folder?.toLowerCase() === 'requirements')) return 'pins';
  return null;
}

const PARSERS: Record<FileKind, (text: string, file: string) => VersionFiles> = {
  dockerfile: parseDockerfile,
  compose: parseCompose,
  helm: parseHelmValues,
  pins: parsePinFile,
};

const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'logs', 'venv', 'site-packages']);

/**
 * Reads every version file at the home's top level and one folder down (docker/, helm/, chart/...).
 * `skip` holds files already read as requirements (relative paths). Files over 64 KiB, and
 * symlinks that lead out of the home, are not read.
 */
export async function readVersionFiles(io: ScanIO, home: string, skip: Set<string>): Promise<VersionFiles> {
  const out = empty();
  const realHome = await io.realpath(home).catch(() => home);
  const list = async (rel: string) => (await io.readdir(join(home, rel)).catch(() => [] as string[])).sort();
  const candidates: { rel: string; kind: FileKind }[] = [];
  for (const name of await list('')) {
    const kind = versionFileKind(name, null);
    if (kind) candidates.push({ rel: name, kind });
    else if (!name.startsWith('.') && !SKIP_DIRS.has(name) && (await io.stat(join(home, name)).catch(() => null))?.isDirectory()) {
      for (const inner of await list(name)) {
        const innerKind = versionFileKind(inner, name);
        if (innerKind) candidates.push({ rel: `${name}/${inner}`, kind: innerKind });
      }
    }
  }
  for (const c of candidates.filter((c) => !skip.has(c.rel))) {
    const abs = join(home, c.rel);
    const st = await io.stat(abs).catch(() => null);
    if (!st?.isFile()) continue;
    const real = await io.realpath(abs).catch(() => null);
    if (!real || !real.startsWith(realHome + sep)) {
      out.notes.push(`${c.rel}: leads outside the home; not read`);
      continue;
    }
    if (st.size > VERSION_FILE_MAX_BYTES) {
      out.notes.push(`${c.rel}: over ${VERSION_FILE_MAX_BYTES / 1024} KiB; not read for version evidence`);
      continue;
    }
    const bytes = await io.readFile(abs).catch(() => null);
    if (!bytes) continue;
    const text = Buffer.from(bytes).toString('utf8');
    const found = PARSERS[c.kind](text, c.rel);
    out.pins.push(...found.pins);
    out.notes.push(...found.notes);
  }
  return out;
}
