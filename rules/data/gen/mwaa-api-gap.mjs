// mwaa-api-gap.json: what the installed @aws-sdk/client-mwaa cannot express of the current MWAA
// API model (request members its serializers drop, enum values and commands it lacks), so the
// client can put the dropped members back (src/aws/mwaa-client.ts).
//
// The SDK's serializers are async, while generators are called synchronously: generate() runs
// this same file as a child process, which serializes a sample of every operation's input
// through the real SDK and reports which body members did not come out.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const output = 'mwaa-api-gap.json';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);

export function generate(ref) {
  const modelFile = join(ref, 'mwaa/mwaa-service-2.json');
  const probe = spawnSync(process.execPath, [self, modelFile], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`SDK probe failed: ${probe.stderr}`);
  const model = JSON.parse(readFileSync(modelFile, 'utf8'));
  return {
    description:
      'Top-level request members, enum values and commands of the MWAA API model that the installed @aws-sdk/client-mwaa does not know, found by serializing sample inputs through it; do not edit by hand.',
    sdk: `@aws-sdk/client-mwaa@${require('@aws-sdk/client-mwaa/package.json').version}`,
    apiVersion: model.metadata.apiVersion,
    ...JSON.parse(probe.stdout),
  };
}

/** A value of the shape; lists and maps get one entry so nested shapes are exercised too. */
function sample(shapes, name) {
  const shape = shapes[name];
  switch (shape.type) {
    case 'structure':
      return Object.fromEntries(Object.entries(shape.members).map(([m, ref]) => [m, sample(shapes, ref.shape)]));
    case 'list':
      return [sample(shapes, shape.member.shape)];
    case 'map':
      return { k: sample(shapes, shape.value.shape) };
    case 'string':
      return shape.enum?.[0] ?? 'x';
    case 'timestamp':
      return new Date(0);
    case 'boolean':
      return true;
    default:
      return 1;
  }
}

async function probeSdk(modelFile) {
  const sdk = await import('@aws-sdk/client-mwaa');
  const model = JSON.parse(readFileSync(modelFile, 'utf8'));
  const stopped = new Error('serialized');
  const client = new sdk.MWAAClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    disableHostPrefix: true,
    credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' },
  });
  let body;
  // Right after serialization: keep the request body and go no further (nothing is sent).
  client.middlewareStack.add(
    () => async (args) => {
      body = args.request.body;
      throw stopped;
    },
    { step: 'build', priority: 'high' },
  );

  const droppedMembers = {};
  const missingCommands = [];
  for (const [op, { input }] of Object.entries(model.operations).sort()) {
    const Command = sdk[`${op}Command`];
    if (!Command) {
      missingCommands.push(op);
      continue;
    }
    if (!input) continue;
    const shape = model.shapes[input.shape];
    body = undefined;
    await client.send(new Command(sample(model.shapes, input.shape))).catch((e) => {
      if (e !== stopped) throw e;
    });
    const sent = body ? Object.keys(JSON.parse(body)) : [];
    const dropped = Object.entries(shape.members)
      .filter(([m, ref]) => !ref.location && !sent.includes(ref.locationName ?? m))
      .map(([m]) => m)
      .sort();
    if (dropped.length > 0) droppedMembers[op] = dropped;
  }

  // Enum values pass as plain strings; the SDK's exported enum objects only show what it types.
  const unknownEnumValues = {};
  for (const [name, shape] of Object.entries(model.shapes).sort()) {
    const known = sdk[name];
    if (!shape.enum || typeof known !== 'object') continue;
    const missing = shape.enum.filter((v) => !Object.values(known).includes(v));
    if (missing.length > 0) unknownEnumValues[name] = missing;
  }
  return { droppedMembers, unknownEnumValues, missingCommands };
}

if (process.argv[1] === self) {
  process.stdout.write(JSON.stringify(await probeSdk(process.argv[2])));
}
