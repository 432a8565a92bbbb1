import fs from 'node:fs';
import { CairnError, type EvalRunRecord } from '../spec/index.ts';

/** Reads one run file (a stored one, or any the user names), checking that it is a cairn run. */
export function readEvalRunFile<Run extends EvalRunRecord>(file: string): Run {
  let run: Run;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as Run;
  } catch (cause) {
    throw new CairnError('invalid_input', `${file}: not a readable JSON run (${(cause as Error).message})`, {
      cause,
    });
  }
  if (run?.schemaVersion !== 1 || !Array.isArray((run as { items?: unknown }).items)) {
    throw new CairnError(
      'invalid_input',
      `${file}: not a cairn eval run (schemaVersion 1 expected); produce one with cairn eval answers --json`,
    );
  }
  return run;
}
