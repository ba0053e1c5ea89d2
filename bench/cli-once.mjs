// One CLI command in this process, so its peak memory can be read: prints
// {"exitCode", "ms", "maxRssMB"} as the last line on stdout. Give --output so the command's own
// output does not mix with it.   node bench/cli-once.mjs report HOME --output /dev/null ...
const { main } = await import(new URL('../dist/cli.js', import.meta.url).href);
const t0 = performance.now();
const exitCode = await main(process.argv.slice(2));
const line = JSON.stringify({ exitCode, ms: Math.round(performance.now() - t0), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
process.stdout.write(`${line}\n`, () => process.exit(0));
