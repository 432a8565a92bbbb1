import { CairnError, type UsageRow, type UsageStore } from '../spec/index.ts';

export type { UsageRow } from '../spec/index.ts';

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

/** Per-tenant usage counters, one row per day, tenant and model, with the daily budget rules. */
export interface UsageLedger {
  record(entry: {
    tenant: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    cached: boolean;
  }): Promise<void>;
  /** Rows newest day first, optionally for one tenant and from a first day on. */
  report(options?: { tenant?: string; since?: string }): Promise<UsageRow[]>;
  /**
   * The tenant's standing today: `blocked` once a limit is reached, `warn` from `warnAt` of it.
   */
  check(tenant: string, limit: DailyBudget | undefined, warnAt: number): Promise<BudgetStatus>;
  /** {@link check} with the tenant's limit picked from the budget rules. */
  standing(tenant: string, rules: BudgetRules): Promise<BudgetStatus>;
  /** {@link record} for one answer `ask` returned. */
  recordAnswer(tenant: string, answer: AnswerSpend): Promise<void>;
  /** Closes the storage under the ledger. */
  close(): Promise<void>;
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

/** The usage ledger over a storage backend's {@link UsageStore}; days are UTC days of `now`. */
export function createUsageLedger(store: UsageStore, now: () => Date = () => new Date()): UsageLedger {
  const ledger: UsageLedger = {
    async record(entry) {
      await store.add({
        day: utcDay(now()),
        tenant: entry.tenant,
        model: entry.model,
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        costUsd: entry.costUsd ?? 0,
        cached: entry.cached,
      });
    },
    report: (options) => store.report(options),
    async check(tenant, limit, warnAt) {
      const day = utcDay(now());
      const totals = await store.dayTotals(tenant, day);
      const used = { tokens: totals.tokens, cost: totals.costUsd };
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
    async standing(tenant, rules) {
      return ledger.check(tenant, rules.tenants[tenant] ?? rules.daily, rules.warnAt);
    },
    async recordAnswer(tenant, answer) {
      await ledger.record({
        tenant,
        model: answer.usage.model,
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        costUsd: answer.usage.costUsd,
        cached: answer.cache !== undefined,
      });
    },
    close: () => store.close(),
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
