import type { Inventory, PyFile } from '../home/inventory.js';
import type { Catalog } from './catalog.js';
import { Checker, check, type CheckOptions } from './engine.js';
import type { CheckResult } from './types.js';

// The check, taken file by file while the scan still runs: the scan tells each file of the DAG
// folder as its analysis comes in (ScanOptions.onFile), and the per-file rules check it then, in
// groups, on the thread that would otherwise wait for the workers. finish() checks the rest once
// the scan is over. The findings are those of check() on the finished inventory, in its order.

/** Files checked at a time: few enough to keep up with the answers, enough to make each rule's set-up small. */
export const GROUP = 128;

export class CheckAsScanned {
  private checker: Checker | null = null;
  private early: Inventory | null = null;
  private pending: PyFile[] = [];
  /** How many files were checked before the scan ended (for tests). */
  checkedEarly = 0;
  /** What a group's check threw: thrown by finish(), where the check's errors are expected, not in the scan's event handlers. */
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly options: CheckOptions,
  ) {}

  /** For ScanOptions.onFile. */
  readonly onFile = (file: PyFile, early: Inventory): void => {
    if (this.failure) return;
    this.early ??= early;
    this.pending.push(file);
    try {
      if (this.pending.length >= GROUP) this.flush();
    } catch (error) {
      this.failure = { error };
    }
  };

  /** The check of the finished inventory. */
  finish(inv: Inventory): CheckResult {
    if (this.failure) throw this.failure.error;
    if (!this.checker || !this.early || !agrees(this.early, inv)) return check(inv, this.catalog, this.options);
    // The pending files are checked with the rest.
    return this.checker.finish(inv);
  }

  private flush(): void {
    const early = this.early!;
    this.checker ??= new Checker(early, this.catalog, this.options);
    this.checker.files({ ...early, dagFiles: this.pending });
    this.checkedEarly += this.pending.length;
    this.pending = [];
  }
}

/** Whether the finished inventory has every fact the per-file rules read as the early one had it (see FILE_KINDS). */
function agrees(early: Inventory, inv: Inventory): boolean {
  return (
    early.home === inv.home &&
    early.airflowVersion === inv.airflowVersion &&
    early.config.options === inv.config.options &&
    early.config.file === inv.config.file &&
    early.config.referenceVersion === inv.config.referenceVersion &&
    early.requirements === inv.requirements &&
    early.dagFolder === inv.dagFolder &&
    early.plugins.folder === inv.plugins.folder
  );
}
