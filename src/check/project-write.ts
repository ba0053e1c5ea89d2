import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, isMap, isSeq, parseDocument } from 'yaml';
import { UsageError } from '../exit.js';
import { PROJECT_FILE } from './project.js';

// Adds suppressions to the project file (see project.ts for its shape), keeping whatever the
// person wrote there, comments included. Written to a temporary file and renamed, so an
// interrupted run never leaves a half-written project file.

export type Suppression = { kind: 'rule'; rule: string } | { kind: 'finding'; rule: string; path: string; reason: string };

function readDocument(path: string): Document {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`project file ${path}: ${(e as Error).message.split(',')[0]}`);
  }
  // An empty (or absent) file is an empty mapping, so there is somewhere to add the ignore: key.
  const doc: Document = text.trim() ? parseDocument(text) : new Document({});
  if (doc.errors.length > 0) throw new UsageError(`project file ${path}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new UsageError(`project file ${path}: expected a mapping with an ignore: key`);
  return doc;
}

/** Adds one suppression to HOME/.mwaa-migrate.yaml (created when absent); answers the file's path. */
export function addSuppression(home: string, s: Suppression): string {
  const path = join(home, PROJECT_FILE);
  const doc = readDocument(path);
  const key = s.kind === 'rule' ? 'rules' : 'findings';
  const list = doc.getIn(['ignore', key]);
  const entry = s.kind === 'rule' ? s.rule : { rule: s.rule, path: s.path, reason: s.reason };
  if (list === undefined) doc.setIn(['ignore', key], doc.createNode([entry], { flow: s.kind === 'rule' }));
  else if (!isSeq(list)) throw new UsageError(`project file ${path}: ignore.${key} must be a list`);
  else {
    const present = list.toJSON() as unknown[];
    const same = (x: unknown) => (s.kind === 'rule' ? x === s.rule : (x as { rule?: string; path?: string })?.rule === s.rule && (x as { path?: string })?.path === s.path);
    if (present.some(same)) return path;
    list.add(doc.createNode(entry, { flow: s.kind === 'finding' }));
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, doc.toString());
    renameSync(tmp, path);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as Error).message.split(',')[0]}`);
  }
  return path;
}
