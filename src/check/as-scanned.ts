import type { Inventory, PyFile } from '../home/inventory.js';
import type { Catalog } from './catalog.js';
import { Checker, check, type CheckOptions } from './engine.js';
import type { CheckResult, Finding } from './types.js';

/** A group of files just checked, with each one's text when the scan had it (see ScanOptions.withText), and the findings the group made. */
export type OnChecked = (files: PyFile[], texts: (string | undefined)[], found: Finding[]) => void;

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
  private pendingTexts: (string | undefined)[] = [];
  /** How many files were checked before the scan ended (for tests). */
  checkedEarly = 0;
  /** What a group's check threw: thrown by finish(), where the check's errors are expected, not in the scan's event handlers. */
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly options: CheckOptions,
    private readonly onChecked?: OnChecked,
  ) {}

  /** For ScanOptions.onFile. */
  readonly onFile = (file: PyFile, early: Inventory, text?: string): void => {
    if (this.failure) return;
    this.early ??= early;
    this.pending.push(file);
    this.pendingTexts.push(text);
    try {
      if (this.pending.length >= GROUP) this.flush();
    } catch (error) {
      this.failure = { error };
    }
  };

  /** The check of the finished inventory. */
  finish(inv: Inventory): CheckResult {
    if (this.failure) throw this.failure.error;
    if (!this.early || !agrees(this.early, inv)) return check(inv, this.catalog, this.options);
    // The last group while its texts are at hand (onChecked); without a listener, with the rest.
    if (this.onChecked && this.pending.length) this.flush();
    if (!this.checker) return check(inv, this.catalog, this.options);
    return this.checker.finish(inv);
  }

  private flush(): void {
    const early = this.early!;
    this.checker ??= new Checker(early, this.catalog, this.options);
    const found = this.checker.files({ ...early, dagFiles: this.pending });
    this.onChecked?.(this.pending, this.pendingTexts, found);
    this.checkedEarly += this.pending.length;
    this.pending = [];
    this.pendingTexts = [];
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
