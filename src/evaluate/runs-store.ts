import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../spec/index.ts';
import type { EvalRun } from './eval-run.ts';

/** Where runs are kept: a `runs/` folder next to the index file. */
export function runsDirectory(indexPath: string): string {
  return path.join(path.dirname(path.resolve(indexPath)), 'runs');
}

/** Saves a run as `<runs>/<createdAt>-<runId>.json` and returns the path. */
export function saveRun(indexPath: string, run: EvalRun): string {
  const dir = runsDirectory(indexPath);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${run.createdAt.replace(/[:.]/g, '-')}-${run.runId.slice(0, 8)}.json`);
  // Write then rename, so a crash never leaves a half-written run behind.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Reads a run file (or a stored run by id prefix), checking it is a cairn run. */
export function readRun(reference: string, indexPath: string): EvalRun {
  let file = reference;
  if (!fs.existsSync(file)) {
    const dir = runsDirectory(indexPath);
    const match = fs.existsSync(dir)
      ? fs.readdirSync(dir).find((name) => name.includes(reference) && name.endsWith('.json'))
      : undefined;
    if (!match)
      throw new CairnError(
        'not_found',
        `${reference}: no such run file, and no stored run id matches it (see cairn eval runs)`,
      );
    file = path.join(dir, match);
  }
  let run: EvalRun;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as EvalRun;
  } catch (cause) {
    throw new CairnError('invalid_input', `${file}: not a readable JSON run (${(cause as Error).message})`, {
      cause,
    });
  }
  if (run?.schemaVersion !== 1 || !Array.isArray(run.items)) {
    throw new CairnError(
      'invalid_input',
      `${file}: not a cairn eval run (schemaVersion 1 expected); produce one with cairn eval answers --json`,
    );
  }
  return run;
}

/** Stored runs, newest first. */
export function listRuns(indexPath: string): { file: string; run: EvalRun }[] {
  return listRunsIn(runsDirectory(indexPath));
}

/** Every run in a runs folder, newest first. */
export function listRunsIn(dir: string): { file: string; run: EvalRun }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .reverse()
    .map((name) => ({
      file: path.join(dir, name),
      run: readRun(path.join(dir, name), path.join(dir, '..', 'index')),
    }));
}
