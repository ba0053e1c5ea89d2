import { dataTable } from '../refdata/data.js';

// A botocore service model (service-2.json) and a validator over it, so a request is checked
// against MWAA's own constraints (patterns, lengths, enums, ranges, required members) before it
// is sent. The tool's copy of the model is rules/data/mwaa-api-model.json, generated from the
// official one; the validator takes any model, so tests can run it on the official file.

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
  sensitive?: boolean;
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

/** The tool's copy of the MWAA API model (the operations it sends and their input shapes). */
export const mwaaApiModel = dataTable<ApiModel>('mwaa-api-model.json');

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
      const keyShape = shape.key.shape;
      // AWS puts a non-sensitive value into its message; for a key that is what names the
      // offending entry (an AirflowConfigurationOptions key, say), so it is quoted here too.
      const keyErrors = (k: string) =>
        validate(model, keyShape, k, `${at}.key`).map((e) => (model.shapes[keyShape]!.sensitive ? e : e.replace(/^Value at/, `Value '${k}' at`)));
      const entries = Object.entries(value);
      return [
        ...bounds(shape, entries.length, 'length', at),
        ...entries.flatMap(([k, v]) => [...keyErrors(k), ...validate(model, shape.value!.shape, v, `${at}.${k}`)]),
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

/**
 * The violations of an operation's whole input (URI members included, as the SDK takes them)
 * against the model: empty when MWAA's model-level validation would accept it.
 */
export function validateRequest(operation: string, input: unknown, model: ApiModel = mwaaApiModel()): string[] {
  const shape = model.operations[operation]?.input?.shape;
  if (!shape) throw new Error(`operation ${operation} (with an input) is not in the model`);
  return validate(model, shape, input);
}
