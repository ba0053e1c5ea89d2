import type { PyNode } from '../tree.js';
import { args, pos, type Ctx, type State } from './state.js';

// Environment variables the code reads by a literal name. The old host set them (a .env file, a
// systemd unit, the shell); MWAA's workers and scheduler start without them, so the plan exports
// the ones it can in a startup script (src/check/matchers/environment.ts decides which).

const GETTERS = new Set(['os.getenv', 'os.environ.get', 'os.environ.setdefault']);

/** `os.getenv("X")`, `os.environ.get("X", default)`, `environ.get("X")` after `from os import environ`. */
export function visitEnvCall(s: State, node: PyNode, callee: string, ctx: Ctx): void {
  if (!GETTERS.has(callee)) return;
  const { positional, keywords } = args(node);
  const name = s.literalOf(positional[0] ?? keywords.get('key'));
  if (typeof name !== 'string' || name === '') return;
  s.out.envReads.push({ ...pos(node), name, hasDefault: positional.length > 1 || keywords.has('default'), runtime: ctx.runtime });
}

/** `os.environ["X"]`, unless it is the target of an assignment or a `del` (the code sets it itself). */
export function visitEnvSubscript(s: State, node: PyNode, ctx: Ctx): void {
  if (s.resolve(node.childForFieldName('value')) !== 'os.environ') return;
  const name = s.literalOf(node.childForFieldName('subscript') ?? undefined);
  if (typeof name !== 'string' || name === '') return;
  const parent = node.parent;
  if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && node.field === 'left') return;
  if (parent?.type === 'delete_statement') return;
  s.out.envReads.push({ ...pos(node), name, hasDefault: false, runtime: ctx.runtime });
}
