import Database from 'better-sqlite3';
import { CairnError } from '../spec/index.ts';

/** Tokens and cost of one tenant, model and UTC day. */
export interface UsageRow {
  day: string;
  tenant: string;
  model: string;
  requests: number;
  /** Answers served from the answer cache (no tokens spent). */
  cached: number;
  inputTokens: number;
  outputTokens: number;
  /** US dollars; unpriced models add nothing. */
  costUsd: number;
}

/** A tenant's daily limits; either may be left out. */
export interface DailyBudget {
  tokens?: number | undefined;
  costUsd?: number | undefined;
}

/** The `budgets` configuration: limits for every tenant, per-tenant overrides, warning share. */
export interface BudgetRules {
  daily: DailyBudget;
  tenants: Record<string, DailyBudget>;
  warnAt: number;
}

/** What one answer spent, as `ask` reports it. */
export interface AnswerSpend {
  usage: { model: string; inputTokens: number; outputTokens: number; costUsd: number | null };
  /** Present when the answer came from the answer cache. */
  cache?: unknown;
}

/** Where a tenant stands against its daily budget. */
export interface BudgetStatus {
  state: 'ok' | 'warn' | 'blocked';
  day: string;
  tokensUsed: number;
  costUsedUsd: number;
  limit: DailyBudget;
  /** Why it warns or blocks, naming the limit. */
  message?: string;
}

/** Per-tenant usage counters in the index file, one row per day, tenant and model. */
export interface UsageLedger {
  record(entry: {
    tenant: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    cached: boolean;
  }): void;
  /** Rows newest day first, optionally for one tenant and from a first day on. */
  report(options?: { tenant?: string; since?: string }): UsageRow[];
  /**
   * The tenant's standing today: `blocked` once a limit is reached, `warn` from `warnAt` of it.
   */
  check(tenant: string, limit: DailyBudget | undefined, warnAt: number): BudgetStatus;
  /** {@link check} with the tenant's limit picked from the budget rules. */
  standing(tenant: string, rules: BudgetRules): BudgetStatus;
  /** {@link record} for one answer `ask` returned. */
  recordAnswer(tenant: string, answer: AnswerSpend): void;
  close(): void;
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

/** Opens the usage table (its own connection). */
export function openUsageLedger(indexPath: string, now: () => Date = () => new Date()): UsageLedger {
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS usage_ledger (
    day TEXT NOT NULL, tenant TEXT NOT NULL, model TEXT NOT NULL, requests INTEGER NOT NULL,
    cached INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL, PRIMARY KEY (day, tenant, model)) WITHOUT ROWID`);
  const upsert = db.prepare(
    `INSERT INTO usage_ledger VALUES (?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT (day, tenant, model) DO UPDATE SET requests = requests + 1, cached = cached + excluded.cached,
       input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cost_usd = cost_usd + excluded.cost_usd`,
  );
  const today = db.prepare(
    `SELECT coalesce(sum(input_tokens + output_tokens), 0) AS tokens, coalesce(sum(cost_usd), 0) AS cost
     FROM usage_ledger WHERE day = ? AND tenant = ?`,
  );
  const ledger: UsageLedger = {
    record(entry) {
      upsert.run(
        utcDay(now()),
        entry.tenant,
        entry.model,
        entry.cached ? 1 : 0,
        entry.inputTokens,
        entry.outputTokens,
        entry.costUsd ?? 0,
      );
    },
    report(options = {}) {
      const rows = db
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
    check(tenant, limit, warnAt) {
      const day = utcDay(now());
      const used = today.get(day, tenant) as { tokens: number; cost: number };
      const status: BudgetStatus = {
        state: 'ok',
        day,
        tokensUsed: used.tokens,
        costUsedUsd: used.cost,
        limit: limit ?? {},
      };
      const shares = [
        limit?.tokens === undefined ? undefined : { what: 'tokens', used: used.tokens, max: limit.tokens },
        limit?.costUsd === undefined
          ? undefined
          : { what: 'US dollars', used: used.cost, max: limit.costUsd },
      ].filter((share) => share !== undefined);
      for (const share of shares) {
        const spent = `${formatAmount(share.used)} of ${formatAmount(share.max)} ${share.what} today`;
        if (share.used >= share.max) {
          return {
            ...status,
            state: 'blocked',
            message: `tenant ${tenant} has used ${spent} (resets 00:00 UTC)`,
          };
        }
        if (share.used >= share.max * warnAt) {
          status.state = 'warn';
          status.message = `tenant ${tenant} has used ${spent}`;
        }
      }
      return status;
    },
    standing(tenant, rules) {
      return ledger.check(tenant, rules.tenants[tenant] ?? rules.daily, rules.warnAt);
    },
    recordAnswer(tenant, answer) {
      ledger.record({
        tenant,
        model: answer.usage.model,
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        costUsd: answer.usage.costUsd,
        cached: answer.cache !== undefined,
      });
    },
    close() {
      if (db.open) db.close();
    },
  };
  return ledger;
}

/** Throws `budget_exceeded` when the status blocks. */
export function enforceBudget(status: BudgetStatus): void {
  if (status.state === 'blocked') {
    throw new CairnError(
      'budget_exceeded',
      `daily budget reached: ${status.message}; raise budgets.daily or budgets.tenants in the config`,
    );
  }
}

function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
