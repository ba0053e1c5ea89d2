// The Python analysis lives in ./analyze/, one module per concern (see analyze/index.ts).
export { analyzePython } from './analyze/index.js';
