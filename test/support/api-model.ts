import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

// A botocore service model (service-2.json) and a validator over it, so the loopback servers
// check requests against the official model rather than against what our client happens to send.

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers';
  locationName?: string;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
}

export interface ApiModel {
  metadata: { apiVersion: string; protocol: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** The official MWAA API model, from the reference material beside the repository. */
export function loadMwaaModel(): ApiModel {
  return JSON.parse(readFileSync(join(ROOT, '..', 'shared', 'reference', 'mwaa', 'mwaa-service-2.json'), 'utf8')) as ApiModel;
}

const patterns = new Map<string, RegExp>();

/** Smithy patterns are not anchored: they must match somewhere in the value. */
function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Length/size/range constraints shared by strings, lists, maps and numbers. */
function bounds(shape: Shape, n: number, what: string, at: string): string[] {
  const errors: string[] = [];
  if (shape.min !== undefined && n < shape.min) errors.push(`Value at '${at}' failed to satisfy constraint: Member must have ${what} greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && n > shape.max) errors.push(`Value at '${at}' failed to satisfy constraint: Member must have ${what} less than or equal to ${shape.max}`);
  return errors;
}

/**
 * The violations of `value` against the model shape `name` (empty when valid), in the wording
 * AWS services use. JSON null counts as absent, as in AWS's JSON protocols.
 */
export function validate(model: ApiModel, name: string, value: unknown, at = name): string[] {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the model`);
  const wrongType = [`Value at '${at}' failed to satisfy constraint: Member must be of type ${shape.type}`];
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return wrongType;
      const errors = bounds(shape, [...value].length, 'length', at);
      if (shape.enum && !shape.enum.includes(value)) errors.push(`Value at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      if (shape.pattern !== undefined && !pattern(shape.pattern).test(value)) errors.push(`Value at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
      return errors;
    }
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? bounds(shape, value as number, 'value', at) : wrongType;
    case 'double':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? bounds(shape, value, 'value', at) : wrongType;
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrongType;
    case 'timestamp':
      // rest-json sends epoch seconds; ISO 8601 text is accepted too.
      return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value))) ? [] : wrongType;
    case 'list':
      if (!Array.isArray(value) || !shape.member) return wrongType;
      return [...bounds(shape, value.length, 'length', at), ...value.flatMap((v, i) => validate(model, shape.member!.shape, v, `${at}.${i + 1}.member`))];
    case 'map': {
      if (!isRecord(value) || !shape.key || !shape.value) return wrongType;
      const entries = Object.entries(value);
      return [
        ...bounds(shape, entries.length, 'length', at),
        ...entries.flatMap(([k, v]) => [...validate(model, shape.key!.shape, k, `${at}.key`), ...validate(model, shape.value!.shape, v, `${at}.${k}`)]),
      ];
    }
    case 'structure': {
      if (!isRecord(value)) return wrongType;
      const members = shape.members ?? {};
      const errors = (shape.required ?? [])
        .filter((m) => value[m] === undefined || value[m] === null)
        .map((m) => `Value null at '${at}.${m}' failed to satisfy constraint: Member must not be null`);
      for (const [m, v] of Object.entries(value)) {
        const ref = members[m];
        if (!ref) errors.push(`Member '${at}.${m}' is not in the model`);
        else if (v !== null && v !== undefined) errors.push(...validate(model, ref.shape, v, `${at}.${m}`));
      }
      return errors;
    }
    default:
      throw new Error(`shape type ${shape.type} (${name}) is not supported by the validator`);
  }
}

export interface Route {
  operation: Operation;
  /** The decoded values of the URI labels, by member name. */
  labels: Record<string, string>;
}

/** The operation a method and path stand for, from the operations' `http.requestUri`. */
export function route(model: ApiModel, method: string, pathname: string): Route | undefined {
  for (const operation of Object.values(model.operations)) {
    if (operation.http.method !== method) continue;
    const names: string[] = [];
    // `{Label}` is one path segment, `{Label+}` (greedy) any number of them.
    const source = operation.http.requestUri.split('?')[0]!.replace(/\{(\w+)(\+?)\}/g, (_, label: string, greedy: string) => {
      names.push(label);
      return greedy ? '(.+)' : '([^/]+)';
    });
    const match = new RegExp(`^${source}$`).exec(pathname);
    if (match) return { operation, labels: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)])) };
  }
  return undefined;
}

/** A query-string value typed as its member's shape (query strings carry only text). */
function fromQuery(model: ApiModel, ref: ShapeRef, query: URLSearchParams, key: string): unknown {
  const type = model.shapes[ref.shape]!.type;
  if (type === 'list') return query.getAll(key);
  const text = query.get(key)!;
  if (type === 'integer' || type === 'long') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * An operation's input put together from URI labels, query string and JSON body, with its
 * violations of the model: a body member the model binds elsewhere, or does not have, is one.
 */
export function requestInput(
  model: ApiModel,
  { operation, labels }: Route,
  query: URLSearchParams,
  body: Record<string, unknown>,
): { input: Record<string, unknown>; errors: string[] } {
  if (!operation.input) return { input: {}, errors: Object.keys(body).map((m) => `Member '${m}' is not in the model`) };
  const shapeName = operation.input.shape;
  const members = model.shapes[shapeName]!.members ?? {};
  const errors: string[] = [];
  const input: Record<string, unknown> = {};
  for (const [m, v] of Object.entries(body)) {
    if (members[m]?.location) errors.push(`Member '${shapeName}.${m}' belongs in the ${members[m].location}, not the body`);
    else input[m] = v;
  }
  for (const [m, ref] of Object.entries(members)) {
    const key = ref.locationName ?? m;
    if (ref.location === 'uri' && labels[key] !== undefined) input[m] = labels[key];
    if (ref.location === 'querystring' && query.has(key)) input[m] = fromQuery(model, ref, query, key);
  }
  return { input, errors: [...errors, ...validate(model, shapeName, input)] };
}
