#!/usr/bin/env -S node --v8-pool-size=0 --
// `--` stops Node from taking our --env-file flag as its own: Node 22 checks that file exists
// even when the flag comes after the script name. --v8-pool-size=0 gives V8 as many helper
// threads (garbage collection, compilation) as the cores but one, not Node's fixed 4: on two
// cores the four took CPU from the analysis workers, and `report` on 4,000 files went from 4.1
// to 3.7 s without them (the README example from 534 to 475 ms). Run as `node bin/...`, pass it
// to node as well (npm run example does).
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// V8's compiled code for the tool and its dependencies, kept beside the scan cache, so that a
// command starts without compiling the AWS SDK and the rest again (130 ms of each AWS command).
// It must be on before they load. Only under a cache folder that exists: Node's recursive mkdir
// never returns for a path under /proc.
const caches = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
// (Node 22.1 and newer: on an older Node the tool starts without it.)
if (existsSync(caches)) nodeModule.enableCompileCache?.(join(caches, 'mwaa-migrate', 'compile'));
const { main } = await import('../dist/cli.js');

process.exitCode = await main(process.argv.slice(2));
