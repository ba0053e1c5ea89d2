// mwaa-api-model.json: the part of the official MWAA API model (botocore service-2.json) that
// the tool validates its own requests against (src/aws/api-model.ts): the operations it sends
// and every shape their inputs reference, less the documentation text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const output = 'mwaa-api-model.json';

// The requests the tool builds; the rest of the API it only reads answers from.
const OPERATIONS = ['CreateEnvironment', 'UpdateEnvironment'];

// What the validator reads of a shape and of a member reference.
const SHAPE_KEYS = ['type', 'members', 'required', 'member', 'key', 'value', 'min', 'max', 'pattern', 'enum', 'sensitive'];
const REF_KEYS = ['shape', 'location', 'locationName'];

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));

export function generate(ref) {
  const model = JSON.parse(readFileSync(join(ref, 'mwaa/mwaa-service-2.json'), 'utf8'));
  const shapes = {};
  const visit = (name) => {
    if (shapes[name]) return;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`mwaa-service-2.json: shape ${name} is referenced but not defined`);
    const slim = pick(shape, SHAPE_KEYS);
    shapes[name] = slim;
    if (slim.members) slim.members = Object.fromEntries(Object.entries(slim.members).map(([m, r]) => [m, pick(r, REF_KEYS)]));
    for (const k of ['member', 'key', 'value']) if (slim[k]) slim[k] = pick(slim[k], REF_KEYS);
    for (const r of [...Object.values(slim.members ?? {}), slim.member, slim.key, slim.value]) if (r) visit(r.shape);
  };
  const operations = {};
  for (const op of OPERATIONS) {
    const o = model.operations[op];
    if (!o?.input) throw new Error(`mwaa-service-2.json: operation ${op} (with an input) is missing`);
    operations[op] = { name: o.name, http: o.http, input: o.input };
    visit(o.input.shape);
  }
  return {
    description: `The MWAA API model's ${OPERATIONS.join(' and ')} inputs and the shapes they reference, copied from the official botocore model (documentation left out); do not edit by hand.`,
    metadata: pick(model.metadata, ['apiVersion', 'protocol']),
    operations,
    shapes: Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b))),
  };
}
