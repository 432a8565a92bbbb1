import fs from 'node:fs';
import { CairnError, type EvalRunStore } from '../spec/index.ts';
import { readEvalRunFile } from '../store/eval-run-file.ts';
import type { EvalRun } from './eval-run.ts';

/** The tenant of runs that recorded none: they were made before runs had tenants. */
export const DEFAULT_RUN_TENANT = 'default';

/** Stored evaluation runs, as the storage registry hands them out. */
export type EvalRuns = EvalRunStore<EvalRun>;

/** The tenant a run belongs to: the one it recorded, else {@link DEFAULT_RUN_TENANT}. */
export function runTenant(run: EvalRun): string {
  return run.tenant ?? DEFAULT_RUN_TENANT;
}

/**
 * Reads a run file, or one of the tenant's stored runs by run id prefix (or location part),
 * checking it is a cairn run. Another tenant's stored run is "no such run".
 * @default tenant `default`
 */
export async function readRun(
  reference: string,
  runs: EvalRuns,
  tenant = DEFAULT_RUN_TENANT,
): Promise<EvalRun> {
  if (fs.existsSync(reference) && fs.statSync(reference).isFile()) return readEvalRunFile<EvalRun>(reference);
  const match = await runs.find(tenant, reference);
  if (!match)
    throw new CairnError(
      'not_found',
      `${reference}: no such run file, and no stored run id matches it (see cairn eval runs)`,
    );
  return match.run;
}
