import type pg from 'pg';
import type { UsageRow, UsageStore } from '../../spec/index.ts';

type Row = Record<string, string | number>;

/** Usage counters in the `usage_ledger` table; each add is one atomic upsert. */
export function createPgUsage(pool: pg.Pool): UsageStore {
  return {
    async add(entry) {
      await pool.query(
        `INSERT INTO usage_ledger AS u VALUES ($1, $2, $3, 1, $4, $5, $6, $7)
         ON CONFLICT (day, tenant, model) DO UPDATE SET requests = u.requests + 1, cached = u.cached + excluded.cached,
           input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens,
           cost_usd = u.cost_usd + excluded.cost_usd`,
        [
          entry.day,
          entry.tenant,
          entry.model,
          entry.cached ? 1 : 0,
          entry.inputTokens,
          entry.outputTokens,
          entry.costUsd,
        ],
      );
    },
    async report(options = {}) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM usage_ledger WHERE ($1::text IS NULL OR tenant = $1) AND day >= $2
         ORDER BY day DESC, tenant COLLATE "C", model COLLATE "C"`,
        [options.tenant ?? null, options.since ?? '0000-00-00'],
      );
      return rows.map(
        (row): UsageRow => ({
          day: String(row.day),
          tenant: String(row.tenant),
          model: String(row.model),
          requests: Number(row.requests),
          cached: Number(row.cached),
          inputTokens: Number(row.input_tokens),
          outputTokens: Number(row.output_tokens),
          costUsd: Number(row.cost_usd),
        }),
      );
    },
    async dayTotals(tenant, day) {
      const { rows } = await pool.query<{ tokens: string; cost: number }>(
        `SELECT coalesce(sum(input_tokens + output_tokens), 0) AS tokens, coalesce(sum(cost_usd), 0) AS cost
         FROM usage_ledger WHERE day = $1 AND tenant = $2`,
        [day, tenant],
      );
      return { tokens: Number(rows[0]?.tokens ?? 0), costUsd: Number(rows[0]?.cost ?? 0) };
    },
    async close() {},
  };
}
