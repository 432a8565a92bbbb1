import type {
  AnswerCacheStore,
  ApiKeyStore,
  AuditStore,
  EvalRunRecord,
  EvalRunStore,
  FeedbackStore,
  IndexSettingsStore,
  IngestJobRecord,
  IngestJobStore,
  Store,
  TraceStore,
  UploadStore,
  UsageStore,
} from '../spec/index.ts';

/**
 * Every kind of state beyond documents, from one backend. `Job` and `Run` name the records the
 * caller keeps (the server's job, the evaluation's run); backends store them as given.
 */
export interface StorageDomains<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
> {
  traces: TraceStore;
  apiKeys: ApiKeyStore;
  audit: AuditStore;
  jobs: IngestJobStore<Job>;
  cache: AnswerCacheStore;
  usage: UsageStore;
  evalRuns: EvalRunStore<Run>;
  settings: IndexSettingsStore;
  /** Readers' ratings of answers. */
  feedback: FeedbackStore;
  /** Files uploaded over the API, where every ingest worker can read them. */
  uploads: UploadStore;
  /** Closes every domain (and the backend's connections). */
  close(): Promise<void>;
}

/** The domains with the document store. */
export interface Storage<
  Job extends IngestJobRecord = IngestJobRecord,
  Run extends EvalRunRecord = EvalRunRecord,
> extends StorageDomains<Job, Run> {
  store: Store;
}
