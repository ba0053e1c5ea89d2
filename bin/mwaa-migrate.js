#!/usr/bin/env -S node --
// `--` stops Node from taking our --env-file flag as its own: Node 22 checks that file exists
// even when the flag comes after the script name.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
