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

/** Per-tenant usage counters, one row per UTC day, tenant and model. */
export interface UsageStore {
  /** Adds one request to its day's row (creating it), atomically under concurrent writers. */
  add(entry: {
    day: string;
    tenant: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    cached: boolean;
  }): Promise<void>;
  /** Rows newest day first (then tenant, model), optionally for one tenant and from a first day on. */
  report(options?: { tenant?: string; since?: string }): Promise<UsageRow[]>;
  /** A tenant's tokens (input + output) and cost over one day. */
  dayTotals(tenant: string, day: string): Promise<{ tokens: number; costUsd: number }>;
  close(): Promise<void>;
}
