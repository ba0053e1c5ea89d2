import type { Tree, TreeCursor } from 'web-tree-sitter';

// A plain JavaScript copy of a tree-sitter syntax tree, made in one cursor pass. Each read through
// tree-sitter's node API crosses into WebAssembly and allocates; analysing the copy instead is
// about twice as fast overall on real DAG files (measured: bench/README.md), and lets the
// parser's own tree be freed at once.

// Nodes whose inside the analysis never looks at: their text is enough.
const OPAQUE = new Set(['string', 'comment', 'integer', 'float', 'identifier', 'dotted_name', 'escape_sequence']);
// Parents whose anonymous tokens matter: `except E, e` (Python 2), `<>` (Python 2), unary minus.
const TOKEN_PARENTS = new Set(['except_clause', 'comparison_operator', 'unary_operator']);

export class PyNode {
  readonly children: PyNode[] = [];
  parent: PyNode | null = null;
  missing = false;
  private named?: PyNode[];

  constructor(
    private readonly file: SourceFile,
    readonly type: string,
    public field: string | null,
    readonly isNamed: boolean,
    readonly start: number,
    readonly end: number,
  ) {}

  get text(): string {
    return this.file.text.slice(this.start, this.end);
  }

  /** Read-only: where every child is named (most nodes), it is the children array itself. */
  get namedChildren(): PyNode[] {
    return (this.named ??= this.children.every((c) => c.isNamed) ? this.children : this.children.filter((c) => c.isNamed));
  }

  get startPosition(): { row: number; column: number } {
    return this.file.position(this.start);
  }

  childForFieldName(field: string): PyNode | null {
    // A plain loop: the analysis asks this millions of times on a big home.
    for (const c of this.children) if (c.field === field) return c;
    return null;
  }

  childrenForFieldName(field: string): PyNode[] {
    return this.children.filter((c) => c.field === field);
  }

  /** For dotted_name and friends, whose inside is not copied; f-strings keep theirs (interpolations). */
  get opaque(): boolean {
    return OPAQUE.has(this.type) && !(this.type === 'string' && this.file.isFString(this.start));
  }
}

export class SourceFile {
  private lineStarts: number[] | null = null;
  constructor(readonly text: string) {}

  /** Whether the string token at `start` has an f prefix (f, rf, fr in any case). */
  isFString(start: number): boolean {
    const a = this.text.charCodeAt(start) | 0x20;
    return a === 0x66 || (a === 0x72 && (this.text.charCodeAt(start + 1) | 0x20) === 0x66);
  }

  position(index: number): { row: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }
}

export interface CopiedTree {
  root: PyNode;
  hasError: boolean;
}

const typeNames: string[] = [];
const fieldNames: (string | null)[] = [];

export function copyTree(tree: Tree, text: string): CopiedTree {
  const c = tree.walk();
  try {
    return copyWithCursor(c, text, tree.rootNode.hasError);
  } finally {
    c.delete();
  }
}

function copyWithCursor(c: TreeCursor, text: string, hasError: boolean): CopiedTree {
  const file = new SourceFile(text);
  // Anonymous tokens (punctuation, keywords) are kept only where the analysis reads them.
  const make = (parent: PyNode | null): PyNode | null => {
    // Each read crosses into WebAssembly: an anonymous token that is dropped costs one or two.
    const isNamed = c.nodeIsNamed;
    const missing = hasError && c.nodeIsMissing;
    if (!isNamed && !missing && !(parent && TOKEN_PARENTS.has(parent.type))) return null;
    const tid = c.nodeTypeId;
    const type = (typeNames[tid] ??= c.nodeType);
    const fid = c.currentFieldId;
    const field = fid ? (fieldNames[fid] ??= c.currentFieldName) : null;
    const n = new PyNode(file, type, field, isNamed, c.startIndex, c.endIndex);
    n.parent = parent;
    n.missing = missing;
    parent?.children.push(n);
    return n;
  };
  const root = make(null)!;
  const parents: PyNode[] = [];
  let node: PyNode | null = root;
  for (;;) {
    if (node && !node.opaque && c.gotoFirstChild()) {
      parents.push(node);
      node = make(node);
      continue;
    }
    for (;;) {
      if (parents.length === 0) return { root, hasError };
      if (c.gotoNextSibling()) {
        node = make(parents[parents.length - 1]!);
        break;
      }
      c.gotoParent();
      parents.pop();
    }
  }
}
