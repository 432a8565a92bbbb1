import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../spec/index.ts';
import type { EvalRun } from './eval-run.ts';

/** The tenant of runs that recorded none: they were made before runs had tenants. */
export const DEFAULT_RUN_TENANT = 'default';

/** A stored run and the file it was read from. */
export interface StoredRun {
  file: string;
  run: EvalRun;
}

/**
 * Where runs are kept: a `runs/` folder next to the index file, with one folder per tenant
 * (`runs/<tenant>/`). Runs saved before tenancy lie flat in `runs/` and are still read.
 */
export function runsDirectory(indexPath: string): string {
  return path.join(path.dirname(path.resolve(indexPath)), 'runs');
}

/** The tenant a run belongs to: the one it recorded, else {@link DEFAULT_RUN_TENANT}. */
export function runTenant(run: EvalRun): string {
  return run.tenant ?? DEFAULT_RUN_TENANT;
}

/** One tenant's folder under the runs folder; a path-like tenant name is refused. */
export function tenantRunsDirectory(runsDir: string, tenant: string): string {
  // The same rule as API key tenants: a plain folder name that cannot climb out of runs/.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(tenant))
    throw new CairnError(
      'invalid_input',
      `tenant "${tenant}" is not a plain name: runs cannot be stored for it`,
    );
  return path.join(runsDir, tenant);
}

/** Saves a run as `<runs>/<tenant>/<createdAt>-<runId>.json` and returns the path. */
export function saveRun(indexPath: string, run: EvalRun): string {
  const dir = tenantRunsDirectory(runsDirectory(indexPath), runTenant(run));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${run.createdAt.replace(/[:.]/g, '-')}-${run.runId.slice(0, 8)}.json`);
  // Write then rename, so a crash never leaves a half-written run behind.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Reads a run file, or one of the tenant's stored runs by run id prefix (or file name part),
 * checking it is a cairn run. Another tenant's stored run is "no such run".
 * @default tenant `default`
 */
export function readRun(reference: string, indexPath: string, tenant = DEFAULT_RUN_TENANT): EvalRun {
  if (fs.existsSync(reference) && fs.statSync(reference).isFile()) return readRunFile(reference);
  const match = listRunsIn(runsDirectory(indexPath), tenant).find(
    ({ file, run }) => run.runId.startsWith(reference) || path.basename(file).includes(reference),
  );
  if (!match)
    throw new CairnError(
      'not_found',
      `${reference}: no such run file, and no stored run id matches it (see cairn eval runs)`,
    );
  return match.run;
}

/**
 * The tenant's stored runs, newest first.
 * @default tenant `default`
 */
export function listRuns(indexPath: string, tenant = DEFAULT_RUN_TENANT): StoredRun[] {
  return listRunsIn(runsDirectory(indexPath), tenant);
}

/**
 * Every run of one tenant in a runs folder, newest first: those in its own folder, and the old
 * flat ones that belong to it. A run whose recorded tenant disagrees with its folder is skipped.
 */
export function listRunsIn(runsDir: string, tenant: string): StoredRun[] {
  const own = tenantRunsDirectory(runsDir, tenant);
  return [...runFiles(own), ...runFiles(runsDir)]
    .map((file) => ({ file, run: readRunFile(file) }))
    .filter(({ run }) => runTenant(run) === tenant)
    .sort((a, b) => path.basename(b.file).localeCompare(path.basename(a.file)));
}

/** The tenant's run with exactly this id, or undefined (also for another tenant's run). */
export function findRun(runsDir: string, tenant: string, runId: string): StoredRun | undefined {
  return listRunsIn(runsDir, tenant).find(({ run }) => run.runId === runId);
}

function runFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(dir, entry.name));
}

function readRunFile(file: string): EvalRun {
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
