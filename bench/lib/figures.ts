import fs from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './shared-data.ts';

/** Where benchmarks append the figures the README quotes, one JSON line each. */
export const FIGURES_FILE = path.join(RESULTS_DIR, 'figures.jsonl');

/** One measured figure, as `npm run bench` compares it with the README. */
export interface FigureRecord {
  id: string;
  value: number;
  /** ISO time of the run. */
  at: string;
}

/**
 * Records a figure the README quotes under `id` (see bench/readme-figures.ts), so that
 * `npm run bench` can set today's value beside the README's.
 */
export function reportFigure(id: string, value: number): void {
  fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  const record: FigureRecord = { id, value, at: new Date().toISOString() };
  fs.appendFileSync(FIGURES_FILE, `${JSON.stringify(record)}\n`);
}

/** The latest value of every figure recorded at or after `since`. */
export function readFigures(since: Date): Map<string, number> {
  const latest = new Map<string, number>();
  if (!fs.existsSync(FIGURES_FILE)) return latest;
  for (const line of fs.readFileSync(FIGURES_FILE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as FigureRecord;
    if (new Date(record.at) >= since) latest.set(record.id, record.value);
  }
  return latest;
}
