import { hash } from 'node:crypto';
import type { AnalysisInterest, PyAnalysis, ProblemCode } from '../home/inventory.js';
import { analyzePython } from './analyze.js';
import { decodePython } from './decode.js';
import { TreeSitterNotLoaded } from './parser.js';

// One Python file from bytes to facts: hash, Airflow's safe-mode test, decoding, analysis.
// Runs on the main thread or in a worker (see pool.ts), so it takes and returns plain data.

export interface FileFacts {
  sha256: string;
  /** Hex MD5: the ETag S3 answers for a single-part upload of these bytes (plan compares them). */
  md5: string;
  /** Airflow's safe-mode heuristic: the bytes mention both "dag" and "airflow" (any case). */
  mightContainDag: boolean;
  analysis: PyAnalysis | null;
  problem: { code: ProblemCode; message: string } | null;
}

export function mightContainDag(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /dag/i.test(text) && /airflow/i.test(text);
}

function analysisFailure(e: unknown): string {
  const why = e instanceof RangeError && /call stack/i.test(e.message) ? 'nested too deeply to analyse' : `could not be analysed (${String((e as Error)?.message ?? e).split('\n')[0]})`;
  return `${why}; no check ran on this file`;
}

export function digests(bytes: Uint8Array): { sha256: string; md5: string } {
  // One-shot hashing: no Hash object per file and digest (thousands of small files).
  return { sha256: hash('sha256', bytes, 'hex'), md5: hash('md5', bytes, 'hex') };
}

// Past this size a Python file is hashed (and uploaded) but not parsed: the parse and its tree take
// memory in proportion (a 5 MB file took 900 MB), and no hand-written DAG file comes near it.
export const MAX_ANALYSED_BYTES = 1024 * 1024;

/** `interest`: what the analysis keeps of context reads and method calls (see AnalysisInterest); everything when null. */
export function fileFacts(bytes: Uint8Array, analyze: boolean, interest: AnalysisInterest | null = null): FileFacts {
  const { sha256, md5 } = digests(bytes);
  const might = mightContainDag(bytes);
  if (!analyze) return { sha256, md5, mightContainDag: might, analysis: null, problem: null };
  if (bytes.length > MAX_ANALYSED_BYTES) {
    const message = `${(bytes.length / 1024 / 1024).toFixed(1)} MB is over the ${MAX_ANALYSED_BYTES / 1024 / 1024} MB analysis limit: uploaded, but not checked`;
    return { sha256, md5, mightContainDag: might, analysis: null, problem: { code: 'too-large', message } };
  }
  const decoded = decodePython(bytes);
  if (!decoded.ok) return { sha256, md5, mightContainDag: might, analysis: null, problem: { code: decoded.code, message: decoded.reason } };
  let analysis: PyAnalysis;
  try {
    analysis = { encoding: decoded.encoding, ...analyzePython(decoded.text, interest) };
  } catch (e) {
    if (e instanceof TreeSitterNotLoaded) throw e; // see withTreeSitter
    // Whatever the input does to the parser or the analysis stays a problem of this one file.
    return { sha256, md5, mightContainDag: might, analysis: null, problem: { code: 'analysis-failed', message: analysisFailure(e) } };
  }
  let problem: FileFacts['problem'] = null;
  if (analysis.syntax !== 'ok') {
    const first = analysis.syntaxErrors[0];
    const where = first ? ` at line ${first.line}, column ${first.col}` : '';
    problem =
      analysis.syntax === 'python2'
        ? { code: 'python2', message: `Python 2 syntax${where} (${first?.message ?? 'Python 2 only construct'}); MWAA runs Python 3` }
        : { code: 'syntax-error', message: `syntax error${where}: ${first?.message ?? 'invalid syntax'}` };
  }
  return { sha256, md5, mightContainDag: might, analysis, problem };
}
