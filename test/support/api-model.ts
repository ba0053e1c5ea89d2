import { readFileSync } from 'node:fs';
import { validate, type ApiModel, type Operation, type ShapeRef } from '../../src/aws/api-model.js';

// The official MWAA API model and, over the product's validator, what the loopback servers need
// to read a REST-JSON request: so they check requests against the official model rather than
// against what our client (or the tool's generated copy of the model) happens to hold.

export { validate, type ApiModel, type Operation, type Shape, type ShapeRef } from '../../src/aws/api-model.js';

/** The official MWAA API model, as test/support/mwaa-service.mjs copies it from the reference material. */
export function loadMwaaModel(): ApiModel {
  return JSON.parse(readFileSync(new URL('mwaa-service-2.json', import.meta.url), 'utf8')) as ApiModel;
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
