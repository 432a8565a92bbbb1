import fs from 'node:fs';
import path from 'node:path';
import type { ChunkingConfig } from '../chunk/index.ts';
import type { CairnConfig } from '../config/index.ts';
import { ingestPath } from '../engine/index.ts';
import type { EmbeddingModel, Store, TraceExporter, UploadStore } from '../spec/index.ts';
import { sha256Of } from '../store/folder-uploads.ts';
import { type IngestJob, type RunIngestJob, trackUploadFolder } from './ingest-jobs.ts';
import { UPLOADS_COLLECTION } from './uploaded-file.ts';

/** What running a tenant's upload job needs; the API server and `cairn worker` build the same. */
export interface UploadIngestDependencies {
  store: Store;
  embedder: EmbeddingModel;
  chunking: ChunkingConfig;
  uploads: UploadStore;
  /** Where uploads kept elsewhere (Postgres) are copied to be read, one folder per tenant. */
  workDir: string;
  ingestLimits?: Partial<CairnConfig['ingestLimits']>;
  /** Guard settings `scanDocuments` and `redactDocuments`. */
  scanInjection: boolean;
  redactPii: boolean;
  /** Where each job's ingest trace is exported, when telemetry is on. */
  traceExporter?: TraceExporter;
}

/**
 * The folder ingest reads a tenant's uploads from: the store's own folder when it keeps files on
 * this disk, else `<workDir>/<tenant as hex>/` made to hold exactly the store's files (changed
 * ones copied, removed ones deleted), so the loader sees what every other worker would see.
 */
export async function uploadFolder(uploads: UploadStore, tenant: string, workDir: string): Promise<string> {
  const local = uploads.localFolder?.(tenant);
  if (local !== undefined) return local;
  // Hex keeps any tenant name a single, safe path segment.
  const dir = path.join(workDir, Buffer.from(tenant, 'utf8').toString('hex'));
  fs.mkdirSync(dir, { recursive: true });
  const wanted = new Map((await uploads.list(tenant)).map((file) => [file.name, file.sha256]));
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && !wanted.has(entry.name)) fs.rmSync(path.join(dir, entry.name), { force: true });
  }
  for (const [name, sha256] of wanted) {
    const target = path.join(dir, name);
    if (fs.existsSync(target) && sha256Of(fs.readFileSync(target)) === sha256) continue;
    const bytes = await uploads.read(tenant, name);
    // Removed since the listing: the next job's listing will not name it either.
    if (bytes === undefined) continue;
    fs.writeFileSync(`${target}.partial`, bytes);
    fs.renameSync(`${target}.partial`, target);
  }
  return dir;
}

/**
 * The run of an upload job: every job re-ingests its tenant's uploads into the `uploads`
 * collection. Unchanged files are skipped by content hash, so a resumed, repeated or
 * concurrently delivered job does only the missing work, and each document is written in one
 * transaction, so none is ever duplicated or half-written.
 */
export function createUploadIngest(deps: UploadIngestDependencies): RunIngestJob {
  const limits = deps.ingestLimits ?? {};
  return async (job, report) => {
    const folder = await uploadFolder(deps.uploads, job.tenant, deps.workDir);
    return ingestPath({
      store: deps.store,
      embedder: deps.embedder,
      chunking: deps.chunking,
      inputPath: folder,
      namespace: job.tenant,
      collection: UPLOADS_COLLECTION,
      ...(limits.maxUnpackedMb ? { maxUnpackedBytes: limits.maxUnpackedMb * 1024 * 1024 } : {}),
      ...(limits.maxTextMb ? { maxTextBytes: limits.maxTextMb * 1024 * 1024 } : {}),
      scanInjection: deps.scanInjection,
      redactPii: deps.redactPii,
      // After a crash, each document is written before the next is read, so `current` is exact.
      ...(job.attempts > 1 ? { embedBatchSize: 1 } : {}),
      onProgress: trackUploadFolder(folder, report),
      ...(deps.traceExporter ? { traceExporter: deps.traceExporter } : {}),
    });
  };
}

/**
 * Sets aside the file a job was processing every time its process stopped, so the tenant's next
 * job does not ingest it again. Returns a sentence for the job's error, or undefined.
 */
export async function setAsideCrashingUpload(
  uploads: UploadStore,
  job: IngestJob,
): Promise<string | undefined> {
  const name = job.current;
  if (!name || path.basename(name) !== name || name.startsWith('.')) return undefined;
  if (!(await uploads.setAside(job.tenant, name))) return undefined;
  return `"${name}" was moved out of the upload folder; upload it again to retry it.`;
}
