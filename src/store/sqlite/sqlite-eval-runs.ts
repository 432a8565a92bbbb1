import fs from 'node:fs';
import path from 'node:path';
import {
  CairnError,
  type EvalRunRecord,
  type EvalRunStore,
  type StoredEvalRun,
  TENANT_PATTERN,
} from '../../spec/index.ts';
import { readEvalRunFile } from '../eval-run-file.ts';

/** The tenant of runs that recorded none: they were made before runs had tenants. */
const DEFAULT_RUN_TENANT = 'default';

/**
 * Where an index's runs are kept: a `runs/` folder next to the index file, with one folder per
 * tenant (`runs/<tenant>/`). Runs saved before tenancy lie flat in `runs/` and are still read.
 */
export function runsDirectory(indexPath: string): string {
  return path.join(path.dirname(path.resolve(indexPath)), 'runs');
}

/** The tenant a run belongs to: the one it recorded, else {@link DEFAULT_RUN_TENANT}. */
function runTenant(run: EvalRunRecord): string {
  return run.tenant ?? DEFAULT_RUN_TENANT;
}

/** One tenant's folder under the runs folder; a path-like tenant name is refused. */
function tenantRunsDirectory(runsDir: string, tenant: string): string {
  // The same rule as API key tenants: a plain folder name that cannot climb out of runs/.
  if (!TENANT_PATTERN.test(tenant))
    throw new CairnError(
      'invalid_input',
      `tenant "${tenant}" is not a plain name: runs cannot be stored for it`,
    );
  return path.join(runsDir, tenant);
}

function runFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(dir, entry.name));
}

/**
 * Runs of the SQLite backend stay JSON files in the runs folder next to the index (see
 * {@link runsDirectory}), as before the registry: users read, diff and commit them. A run's
 * location is its file; a file whose recorded tenant disagrees with its folder is skipped.
 */
export function openFileEvalRuns<Run extends EvalRunRecord = EvalRunRecord>(
  runsDir: string,
): EvalRunStore<Run> {
  const list = (tenant: string): StoredEvalRun<Run>[] =>
    [...runFiles(tenantRunsDirectory(runsDir, tenant)), ...runFiles(runsDir)]
      .map((file) => ({ location: file, run: readEvalRunFile<Run>(file) }))
      .filter(({ run }) => runTenant(run) === tenant)
      .sort((a, b) => path.basename(b.location).localeCompare(path.basename(a.location)));
  return {
    async save(run) {
      const dir = tenantRunsDirectory(runsDir, runTenant(run));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${run.createdAt.replace(/[:.]/g, '-')}-${run.runId.slice(0, 8)}.json`);
      // Write then rename, so a crash never leaves a half-written run behind.
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2));
      fs.renameSync(`${file}.tmp`, file);
      return file;
    },
    async list(tenant) {
      return list(tenant);
    },
    async find(tenant, reference) {
      return list(tenant).find(
        ({ location, run }) => run.runId.startsWith(reference) || path.basename(location).includes(reference),
      );
    },
    async close() {},
  };
}

/** The runs of the index at `indexPath` (see {@link openFileEvalRuns}). */
export function openSqliteEvalRuns<Run extends EvalRunRecord = EvalRunRecord>(
  indexPath: string,
): EvalRunStore<Run> {
  return openFileEvalRuns<Run>(runsDirectory(indexPath));
}
