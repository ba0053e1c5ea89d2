import { homePositional, parse, pollSecondsFlag, type Options } from './args.js';
import { awsAccess } from './aws-flags.js';
import { printUsage } from './help.js';
import type { CliIO } from './io.js';

// guide (and no command at all): the guided walkthrough, step by step.

const GUIDE_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'mwaa-endpoint-url': { type: 'string' },
  'poll-seconds': { type: 'string', default: '30' },
  'no-cache': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, GUIDE_OPTIONS, 'guide');
  if (values.help) return printUsage(io, 'guide');
  const home = homePositional('guide', positionals);
  const aws = awsAccess(values, io.env);
  const pollSeconds = pollSecondsFlag(values['poll-seconds']);
  // Loaded only after the flags are checked: a usage error does not wait for Ink and React.
  const { runGuide } = await import('../guide/run.js');
  return runGuide({
    home,
    region: values.region,
    profile: aws.profile,
    endpointUrl: aws.endpointUrl,
    mwaaEndpointUrl: aws.mwaaEndpointUrl,
    pollSeconds,
    noCache: values['no-cache'],
    env: io.env,
  });
}
