// Exit codes, one place (README documents them).
export const EXIT_OK = 0;
/** Findings at or above the --fail-on threshold. */
export const EXIT_FINDINGS = 1;
/** apply: the environment ended in CREATE_FAILED. */
export const EXIT_FAILED = 1;
/** migrate: the confirmation was not given. */
export const EXIT_DECLINED = 1;
/** Usage or input error: bad flags, a home that cannot be read, a version change MWAA cannot make in place. */
export const EXIT_USAGE = 2;
/**
 * plan: changes pending. terraform plan -detailed-exitcode uses 2, taken here by usage errors,
 * so 0 = nothing to do, 1 = blocking findings, 2 = error, 3 = changes pending.
 */
export const EXIT_CHANGES = 3;
/** report: nothing reaches --fail-on, but files or folders could not be read or analysed. */
export const EXIT_PARTIAL = 4;

/** An error whose message is the whole story: printed on one line, no stack. */
export class UsageError extends Error {}
