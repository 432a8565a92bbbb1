/** The fields of an evaluation run that storage relies on; the rest is kept as given. */
export interface EvalRunRecord {
  schemaVersion: number;
  runId: string;
  /** ISO timestamp. */
  createdAt: string;
  /** The tenant that made the run; runs that recorded none belong to `default`. */
  tenant?: string;
}

/** A stored run and where it is kept (a file path, or a backend's own reference). */
export interface StoredEvalRun<Run extends EvalRunRecord = EvalRunRecord> {
  location: string;
  run: Run;
}

/** Evaluation runs, kept per tenant. */
export interface EvalRunStore<Run extends EvalRunRecord = EvalRunRecord> {
  /** Stores a run under its tenant and returns its location. */
  save(run: Run): Promise<string>;
  /** The tenant's runs, newest first. */
  list(tenant: string): Promise<StoredEvalRun<Run>[]>;
  /**
   * The tenant's newest run whose id starts with `reference` or whose location contains it;
   * another tenant's run is never found.
   */
  find(tenant: string, reference: string): Promise<StoredEvalRun<Run> | undefined>;
  close(): Promise<void>;
}
