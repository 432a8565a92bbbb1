import type { UsageStore } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS usage_ledger (
  day TEXT NOT NULL, tenant TEXT NOT NULL, model TEXT NOT NULL, requests INTEGER NOT NULL,
  cached INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL, PRIMARY KEY (day, tenant, model)) WITHOUT ROWID`;

/** The `usage_ledger` table of the index file (its own connection). */
export function openSqliteUsage(indexPath: string): UsageStore {
  const connection = lazyConnection(indexPath, (db) => db.exec(SCHEMA));
  return {
    async add(entry) {
      connection
        .prepare(
          `INSERT INTO usage_ledger VALUES (?, ?, ?, 1, ?, ?, ?, ?)
           ON CONFLICT (day, tenant, model) DO UPDATE SET requests = requests + 1, cached = cached + excluded.cached,
             input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
             cost_usd = cost_usd + excluded.cost_usd`,
        )
        .run(
          entry.day,
          entry.tenant,
          entry.model,
          entry.cached ? 1 : 0,
          entry.inputTokens,
          entry.outputTokens,
          entry.costUsd,
        );
    },
    async report(options = {}) {
      const rows = connection
        .prepare(
          `SELECT * FROM usage_ledger WHERE (? IS NULL OR tenant = ?) AND day >= ?
           ORDER BY day DESC, tenant, model`,
        )
        .all(options.tenant ?? null, options.tenant ?? null, options.since ?? '0000-00-00') as Record<
        string,
        string | number
      >[];
      return rows.map((row) => ({
        day: String(row.day),
        tenant: String(row.tenant),
        model: String(row.model),
        requests: Number(row.requests),
        cached: Number(row.cached),
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        costUsd: Number(row.cost_usd),
      }));
    },
    async dayTotals(tenant, day) {
      const row = connection
        .prepare(
          `SELECT coalesce(sum(input_tokens + output_tokens), 0) AS tokens, coalesce(sum(cost_usd), 0) AS cost
           FROM usage_ledger WHERE day = ? AND tenant = ?`,
        )
        .get(day, tenant) as { tokens: number; cost: number };
      return { tokens: row.tokens, costUsd: row.cost };
    },
    async close() {
      connection.close();
    },
  };
}
