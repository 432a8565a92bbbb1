import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared/bench-data` from the project root: benchmark data is read in place, never copied. */
export const BENCH_DATA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/bench-data',
);

/** The SciFact folder, or an exit with a clear message when the shared data is missing. */
export function scifactDir(): string {
  const dir = path.join(BENCH_DATA, 'scifact');
  if (!fs.existsSync(path.join(dir, 'corpus.jsonl'))) {
    process.stderr.write(
      `SciFact not found at ${dir}: benchmarks read ../shared/bench-data from the project root.\n`,
    );
    process.exit(2);
  }
  return dir;
}

/** Where benchmarks cache indexes and vectors between runs (git-ignored). */
export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');
