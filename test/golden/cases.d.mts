// Types of cases.mjs, for the TypeScript tests that import it.
export const ROOT: string;
export const GOLDEN_DIR: string;
export interface GoldenCase {
  home: string;
  args: string[];
}
export const CASES: GoldenCase[];
export const FORMATS: Record<'text' | 'json' | 'markdown' | 'sarif' | 'html', string>;
export function goldenArgs(c: GoldenCase, format: string): string[];
export function goldenFile(c: GoldenCase, format: string): string;
export function runCli(args: string[], env?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
