import type { Reporter, TestModule } from 'vitest/node';

// CI's reporter (.ci/run): CI installs everything the tests need, so a test skipped there is a
// check that silently did not happen. Names each one and fails the run.
export default class NoSkips implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped = modules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `  ${m.relativeModuleId}: ${t.fullName}`));
    if (skipped.length === 0) return;
    process.stderr.write(`${skipped.length} test(s) skipped, and CI must run every test:\n${skipped.join('\n')}\n`);
    process.exitCode = 1;
  }
}
