// A small, exact evaluator of IAM policy documents for the questions preflight asks: does this
// role's policy set allow action A on every resource a pattern names, and does its trust policy
// let a service assume it. Wildcards (`*`, `?`) are handled exactly, on both sides: a required
// resource may itself be a pattern (a log-group prefix), so "allows" means the policy's
// patterns cover every resource the required one names, and an explicit Deny counts when its
// patterns meet any of them. What it does not evaluate it reports instead of guessing:
// NotAction/NotResource/NotPrincipal and policy variables give 'unknown', conditions give
// 'conditional'.

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  Version?: string;
  Statement?: Statement | Statement[];
}

/** A document with the name findings quote it by ("inline policy x", "policy arn:..."). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

/**
 * A policy document as IAM returns it: URL-encoded (RFC 3986) in GetRole, GetRolePolicy and
 * GetPolicyVersion answers; some emulators send it plain, which is taken as is.
 */
export function parsePolicyDocument(text: string): PolicyDocument {
  const parse = (t: string): PolicyDocument => {
    const doc: unknown = JSON.parse(t);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('a policy document is not a JSON object');
    return doc as PolicyDocument;
  };
  try {
    return parse(text);
  } catch {
    return parse(decodeURIComponent(text));
  }
}

// --- Wildcard patterns as tiny automata -------------------------------------------------------

/** The positions a pattern can be at, after `*` has matched nothing where it may. */
function closure(pattern: string, states: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (let i of states) {
    out.add(i);
    while (pattern[i] === '*') out.add(++i);
  }
  return out;
}

/** One character on: `*` stays, `?` and the same literal move on. OTHER matches no literal. */
function step(pattern: string, states: Set<number>, c: string): Set<number> {
  const next: number[] = [];
  for (const i of states) {
    const p = pattern[i];
    if (p === '*') next.push(i);
    else if (p === '?' || (p === c && c !== OTHER)) next.push(i + 1);
  }
  return closure(pattern, next);
}

/** Stands for every character that is no pattern's literal: they all behave alike. */
const OTHER = '\u0000';

/**
 * Whether some text matches `required` and, as `inAny` says, matches (true) or matches none of
 * (false) the `patterns`. A breadth-first walk over the pair of automata, so exact for `*`/`?`.
 */
function someText(required: string, patterns: string[], inAny: boolean): boolean {
  const alphabet = [...new Set([...required, ...patterns.join('')].filter((c) => c !== '*' && c !== '?')), OTHER];
  const key = (r: Set<number>, ps: Set<number>[]) => [r, ...ps].map((s) => [...s].sort((a, b) => a - b).join(',')).join('|');
  let queue: [Set<number>, Set<number>[]][] = [[closure(required, [0]), patterns.map((p) => closure(p, [0]))]];
  const seen = new Set(queue.map(([r, ps]) => key(r, ps)));
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const [r, ps] of queue) {
      if (r.has(required.length) && ps.some((s, i) => s.has(patterns[i]!.length)) === inAny) return true;
      for (const c of alphabet) {
        const r2 = step(required, r, c);
        if (r2.size === 0) continue;
        const ps2 = ps.map((s, i) => step(patterns[i]!, s, c));
        const k = key(r2, ps2);
        if (!seen.has(k)) {
          seen.add(k);
          next.push([r2, ps2]);
        }
      }
    }
    queue = next;
  }
  return false;
}

/** Every text `required` matches is matched by one of `patterns`. */
export const covers = (patterns: string[], required: string): boolean => !someText(required, patterns, false);

/** Some text `required` matches is matched by one of `patterns`. */
export const overlaps = (patterns: string[], required: string): boolean => someText(required, patterns, true);

// --- Statements ------------------------------------------------------------------------------

/** What a request asks: one action (no wildcard), on every resource a pattern names, by a principal. */
export interface PolicyRequest {
  action: string;
  /** Absent for trust policies, whose resource is the role itself. */
  resource?: string;
  /** A service principal (trust policies); absent for identity policies. */
  service?: string;
}

export type Decision = 'allowed' | 'conditional' | 'unknown' | 'not-allowed' | 'denied';

export interface Evaluation {
  decision: Decision;
  /** Why, naming the statements that decided: empty for a plain allow or no allow at all. */
  because: string[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether a Principal element names the service (or everyone). */
function principalMatches(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, string | string[] | undefined>;
  return list(p['AWS']).includes('*') || list(p['Service']).includes(service);
}

type Match = 'no' | 'yes' | 'conditional' | 'unknown';

function statementMatches(st: Statement, request: PolicyRequest, deny: boolean): { match: Match; why?: string } {
  // Each element present is checked; one this evaluator does not read leaves the statement
  // 'unknown' only when the others would not already rule it out.
  const unsure: string[] = [];
  if (st.NotAction !== undefined) unsure.push('NotAction');
  // IAM compares actions case-insensitively, resources exactly.
  else if (!list(st.Action).some((a) => covers([a.toLowerCase()], request.action.toLowerCase()))) return { match: 'no' };
  if (request.service !== undefined) {
    if (st.NotPrincipal !== undefined) unsure.push('NotPrincipal');
    else if (!principalMatches(st.Principal, request.service)) return { match: 'no' };
  }
  if (request.resource !== undefined) {
    // A policy variable (${aws:username}) may stand for anything: it is matched as `*`, and a
    // statement that then applies is only possibly applying.
    const resources = list(st.Resource).map((r) => r.replace(/\$\{[^}]*\}/g, '*'));
    if (st.NotResource !== undefined) unsure.push('NotResource');
    // A Deny counts when it meets any resource asked for; an Allow must cover them all.
    else if (!(deny ? overlaps(resources, request.resource) : covers(resources, request.resource))) return { match: 'no' };
    else if (list(st.Resource).some((r) => r.includes('${'))) unsure.push('a policy variable in Resource');
  }
  if (unsure.length > 0) return { match: 'unknown', why: `${unsure.join(', ')} (not evaluated)` };
  if (st.Condition !== undefined && Object.keys(st.Condition).length > 0) {
    const keys = Object.values(st.Condition).flatMap((c) => (typeof c === 'object' && c !== null ? Object.keys(c) : []));
    return { match: 'conditional', why: `a condition on ${[...new Set(keys)].join(', ')} (not evaluated)` };
  }
  return { match: 'yes' };
}

const RANK: Decision[] = ['allowed', 'conditional', 'unknown', 'not-allowed', 'denied'];

/** The less favourable of two decisions, for requests that all of several policy sets must allow. */
export const worse = (a: Decision, b: Decision): Decision => (RANK.indexOf(a) >= RANK.indexOf(b) ? a : b);

/**
 * The decision of a set of policies (a role's inline and attached ones, or its trust policy) on
 * one request, as IAM makes it: an explicit Deny wins, then an Allow, else it is not allowed.
 */
export function evaluate(policies: NamedPolicy[], request: PolicyRequest): Evaluation {
  const found = { Allow: new Map<Match, string[]>(), Deny: new Map<Match, string[]>() };
  for (const { name, document } of policies) {
    for (const [i, st] of list(document.Statement).entries()) {
      const effect = st.Effect === 'Deny' ? 'Deny' : st.Effect === 'Allow' ? 'Allow' : undefined;
      if (!effect) continue;
      const { match, why } = statementMatches(st, request, effect === 'Deny');
      if (match === 'no') continue;
      const where = `${name}, statement ${st.Sid ? `'${st.Sid}'` : i + 1}`;
      const at = found[effect].get(match) ?? [];
      found[effect].set(match, [...at, why ? `${where}: ${why}` : where]);
    }
  }
  const denied = found.Deny.get('yes');
  if (denied) return { decision: 'denied', because: denied.map((w) => `explicitly denied by ${w}`) };
  const allow: Decision = found.Allow.has('yes') ? 'allowed' : found.Allow.has('conditional') ? 'conditional' : found.Allow.has('unknown') ? 'unknown' : 'not-allowed';
  if (allow === 'not-allowed') {
    return { decision: allow, because: [...(found.Allow.get('unknown') ?? [])].map((w) => `not evaluated: ${w}`) };
  }
  const because = [
    ...(allow === 'allowed' ? [] : (found.Allow.get(allow === 'conditional' ? 'conditional' : 'unknown') ?? []).map((w) => `allowed only by ${w}`)),
    ...(found.Deny.get('conditional') ?? []).map((w) => `may be denied by ${w}`),
    ...(found.Deny.get('unknown') ?? []).map((w) => `may be denied by ${w}`),
  ];
  const denyCaveat: Decision = found.Deny.has('unknown') ? 'unknown' : found.Deny.has('conditional') ? 'conditional' : 'allowed';
  return { decision: worse(allow, denyCaveat), because };
}
