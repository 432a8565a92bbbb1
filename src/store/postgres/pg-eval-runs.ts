import type pg from 'pg';
import type { EvalRunRecord, EvalRunStore, StoredEvalRun } from '../../spec/index.ts';
import { assertTenantName } from '../../spec/index.ts';

/** Runs that recorded no tenant were made before runs had tenants. */
const DEFAULT_TENANT = 'default';

/** A run's location in this backend: the table and its id, shown where the SQLite backend shows a file. */
const locationOf = (runId: string) => `postgres:eval_runs/${runId}`;

/** Evaluation runs in the `eval_runs` table, one JSONB document per run. */
export function createPgEvalRuns<Run extends EvalRunRecord = EvalRunRecord>(
  pool: pg.Pool,
): EvalRunStore<Run> {
  const list = async (tenant: string): Promise<StoredEvalRun<Run>[]> => {
    const { rows } = await pool.query<{ run_id: string; run: Run }>(
      'SELECT run_id, run FROM eval_runs WHERE tenant = $1 ORDER BY created_at DESC, run_id DESC',
      [tenant],
    );
    return rows.map((row) => ({ location: locationOf(row.run_id), run: row.run }));
  };
  return {
    async save(run) {
      const tenant = run.tenant ?? DEFAULT_TENANT;
      assertTenantName(tenant);
      await pool.query(
        `INSERT INTO eval_runs (run_id, tenant, created_at, run) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id) DO UPDATE SET tenant = excluded.tenant, created_at = excluded.created_at, run = excluded.run`,
        [run.runId, tenant, run.createdAt, JSON.stringify(run)],
      );
      return locationOf(run.runId);
    },
    list,
    async find(tenant, reference) {
      return (await list(tenant)).find(
        ({ location, run }) => run.runId.startsWith(reference) || location.includes(reference),
      );
    },
    async close() {},
  };
}
