/** One audit entry: who asked what, and which documents came back. */
export interface AuditEntry {
  /** ISO timestamp. */
  at: string;
  tenant: string;
  keyId: string;
  route: string;
  /** The question or query, PII-redacted by the caller before it is appended. */
  query: string;
  docIds: string[];
}

/** An append-only record of searches and answers; entries are never updated, only retention removes them. */
export interface AuditStore {
  append(entry: AuditEntry): Promise<void>;
  /** The tenant's newest entries first (in append order, not by `at`). @default limit 100 */
  list(tenant: string, limit?: number): Promise<AuditEntry[]>;
  /** Deletes entries older than `days` before `now`; returns how many. */
  purgeOlderThan(days: number, now?: Date): Promise<number>;
  close(): Promise<void>;
}
