import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChunkingConfig } from '../chunk/index.ts';
import { createChunker } from '../chunk/index.ts';
import { checkOptions } from '../config/check-options.ts';
import { ingestOptionsSchema } from '../config/option-schemas.ts';
import { embedMany } from '../embed/embed-many.ts';
import { detectInjection, redactPii } from '../guard/index.ts';
import { checkCollectionName, defaultCollectionName, loadDocuments } from '../ingest/index.ts';
import {
  type CairnDocument,
  CairnError,
  type Chunk,
  type EmbeddingModel,
  embedderId,
  type InjectionFinding,
  InvalidInputError,
  type Span,
  type Store,
  type TraceExporter,
} from '../spec/index.ts';
import { searchableText } from '../store/sqlite/index.ts';
import { exportTrace } from '../trace/export-trace.ts';
import { Tracer } from '../trace/tracer.ts';

/** Progress of an ingest run, reported after each document. */
export interface IngestProgress {
  /** Inputs handled so far (documents written, skipped unchanged, or failed). */
  processed: number;
  current: string;
}

/** What an ingest run did. */
export interface IngestSummary {
  /** The collection the documents went into; their ids start with `<collection>/`. */
  collection: string;
  added: number;
  updated: number;
  unchanged: number;
  pruned: number;
  /** Inputs that could not be loaded, with the reason; the run continued past them. */
  failed: { path: string; reason: string }[];
  /** Files skipped on purpose (unsupported extension). */
  skipped: { path: string; reason: string }[];
  /** Documents the injection scan flagged, stored quarantined (excluded from retrieval). */
  quarantined: { docId: string; source: string; category: string; excerpt: string }[];
  /** Personal data and secrets replaced by placeholders before chunking, per type (opt-in). */
  piiRedacted: Record<string, number>;
  /** Chunks written in this run (matched chunks, parents excluded). */
  chunksWritten: number;
  /** Wall time while at least one batch was in the embedder, to separate model cost from pipeline overhead. */
  embedMs: number;
  totalMs: number;
}

/** Options of {@link ingestPath}. */
export interface IngestOptions {
  store: Store;
  embedder: EmbeddingModel;
  chunking: ChunkingConfig;
  /** File or folder to ingest (folders are walked recursively). */
  inputPath: string;
  /** @default 'default' */
  namespace?: string;
  /**
   * Collection the root's documents go into (ids `<collection>/<path>`). Given explicitly, it
   * rebinds the name to this root (a moved folder). @default the name the root is already bound
   * to, else the root folder's base name (for a single file, its folder's)
   */
  collection?: string;
  /** Remove documents of this collection whose files are gone. @default false */
  prune?: boolean;
  /** @default 50 MiB */
  maxFileBytes?: number;
  /** Most bytes a DOCX's entries or a PDF's streams may inflate to; past it the file fails. @default 64 MiB */
  maxUnpackedBytes?: number;
  /** Most text extracted from one file, in characters; past it the file fails. @default 16 Mi */
  maxTextBytes?: number;
  /** Chunks embedded per model call, gathered across small documents. @default 64 */
  embedBatchSize?: number;
  /** Scan each document for prompt injection and quarantine the ones flagged. @default true */
  scanInjection?: boolean;
  /** Replace personal data and secrets in documents before they are chunked and stored. @default false */
  redactPii?: boolean;
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Receives the run's trace: a `cairn.ingest` root with, per embedding batch, the time spent
   * loading and chunking its documents, embedding them and writing them (so a large run stays
   * a bounded trace).
   */
  traceExporter?: TraceExporter;
  abortSignal?: AbortSignal;
}

interface PendingDocument {
  document: CairnDocument;
  chunks: Chunk[];
  storedHash: string;
  isNew: boolean;
  injection?: InjectionFinding;
}

/**
 * Loads, chunks, embeds and stores every document under a path. Unchanged documents (same
 * content and chunking) are skipped, changed ones replaced, bad inputs reported and passed over.
 * Each document is written in its own transaction, so an interrupted run loses at most the
 * documents not yet written.
 */
export async function ingestPath(options: IngestOptions): Promise<IngestSummary> {
  checkOptions('ingestPath', ingestOptionsSchema, options);
  const namespace = options.namespace ?? 'default';
  const tracer = new Tracer({ namespace, label: `ingest ${path.basename(options.inputPath)}` });
  try {
    return await tracer.span('cairn.ingest', { namespace }, (span) => ingestTraced(options, tracer, span));
  } finally {
    exportTrace(tracer.finish(), options);
  }
}

/** {@link ingestPath} inside its root span `run`, which gets the run's counts. */
async function ingestTraced(options: IngestOptions, tracer: Tracer, run: Span): Promise<IngestSummary> {
  const started = performance.now();
  const namespace = options.namespace ?? 'default';
  const input = path.resolve(options.inputPath);
  const inputStats = await stat(input).catch((cause: unknown) => {
    throw new InvalidInputError(options.inputPath, (cause as Error).message, { cause });
  });
  const root = inputStats.isFile() ? path.dirname(input) : input;
  const collection = await resolveCollection(options.store, namespace, root, options.collection);
  const chunker = createChunker(options.chunking);
  // Redaction changes the stored text, so switching it on or off re-processes every document.
  const fingerprint = `${chunkingFingerprint(options.chunking)}${options.redactPii ? '+redacted' : ''}`;
  const scanInjection = options.scanInjection ?? true;
  const batchSize = options.embedBatchSize ?? 64;
  const summary: IngestSummary = {
    collection,
    added: 0,
    updated: 0,
    unchanged: 0,
    pruned: 0,
    failed: [],
    skipped: [],
    quarantined: [],
    piiRedacted: {},
    chunksWritten: 0,
    embedMs: 0,
    totalMs: 0,
  };
  const seenIds = new Set<string>();
  const failedSources = new Set<string>();
  let processed = 0;
  let pending: PendingDocument[] = [];
  let pendingChunks = 0;

  const report = (current: string) => options.onProgress?.({ processed, current });
  // Loading is a stream of documents; each batch's span covers reading, parsing and chunking
  // the documents it holds (and the unchanged ones passed over on the way).
  let loadStarted = tracer.now();
  let chunkMs = 0;

  // The batch before the one being loaded: embedding, then writing. Two batches overlap, so the
  // embedding workers start on the next batch's slices while the last slices of this one finish
  // and its documents are written, instead of standing idle (the raw embedder loop never does).
  let inFlight: Promise<void> | undefined;
  // Cancels the embedding still running when the ingest fails, so no work outlives the call.
  const cancel = new AbortController();
  const embedSignal = options.abortSignal
    ? AbortSignal.any([options.abortSignal, cancel.signal])
    : cancel.signal;
  // Batches being embedded, and since when one has been: summary.embedMs is that busy time.
  let embedding = 0;
  let embedBusySince = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingChunks = 0;
    tracer.record('cairn.ingest.load', loadStarted, tracer.now() - loadStarted, {
      documents: batch.length,
      chunkMs: Number(chunkMs.toFixed(3)),
    });
    const texts = batch.flatMap(({ document, chunks }) =>
      chunks.filter((chunk) => chunk.role !== 'parent').map((chunk) => searchableText(document.title, chunk)),
    );
    const embedStarted = tracer.now();
    if (embedding === 0) embedBusySince = embedStarted;
    embedding += 1;
    const embedded = embedMany(options.embedder, texts, { abortSignal: embedSignal }).finally(() => {
      embedding -= 1;
      if (embedding === 0) summary.embedMs += tracer.now() - embedBusySince;
    });
    const vectors = embedded.then(({ embeddings }) => {
      const ms = tracer.now() - embedStarted;
      tracer.record('cairn.embed', embedStarted, ms, {
        model: embedderId(options.embedder),
        chunks: texts.length,
      });
      return embeddings;
    });
    const before = inFlight;
    const written = (async () => {
      // Writes stay in load order: this batch waits for the one before it.
      await before;
      const embeddings = await vectors;
      const writeStarted = tracer.now();
      await writeBatch(batch, embeddings);
      tracer.record('cairn.ingest.write', writeStarted, tracer.now() - writeStarted, {
        documents: batch.length,
        chunks: texts.length,
      });
    })();
    // Both are awaited later (vectors by written, written by the next flush or settle()): until
    // then a failure must not count as unhandled.
    vectors.catch(() => undefined);
    written.catch(() => undefined);
    inFlight = written;
    await before;
    loadStarted = tracer.now();
    chunkMs = 0;
  };
  /** Waits for the batch still in flight; after a failure, without adding its error to the first. */
  const settle = async (failed: boolean) => {
    const last = inFlight;
    inFlight = undefined;
    if (failed) {
      cancel.abort();
      await last?.catch(() => undefined);
    } else await last;
  };
  const writeBatch = async (batch: PendingDocument[], embeddings: Float32Array[]) => {
    let offset = 0;
    for (const item of batch) {
      const count = item.chunks.filter((chunk) => chunk.role !== 'parent').length;
      await options.store.upsertDocument({
        namespace,
        document: {
          ...item.document,
          contentHash: item.storedHash,
          metadata: { ...item.document.metadata, collection },
        },
        chunks: item.chunks,
        embeddings: embeddings.slice(offset, offset + count),
        ...(item.injection ? { injection: item.injection } : {}),
      });
      if (item.injection) {
        summary.quarantined.push({
          docId: item.document.id,
          source: item.document.source,
          category: item.injection.category,
          excerpt: item.injection.excerpt,
        });
      }
      offset += count;
      summary.chunksWritten += count;
      if (item.isNew) summary.added += 1;
      else summary.updated += 1;
      processed += 1;
      report(item.document.source);
    }
  };

  try {
    for await (const result of loadDocuments(options.inputPath, {
      collection,
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
      ...(options.maxUnpackedBytes === undefined ? {} : { maxUnpackedBytes: options.maxUnpackedBytes }),
      ...(options.maxTextBytes === undefined ? {} : { maxTextBytes: options.maxTextBytes }),
    })) {
      options.abortSignal?.throwIfAborted();
      if (result.ok === 'skipped') {
        summary.skipped.push({ path: result.path, reason: result.reason });
        continue;
      }
      if (result.ok === false) {
        summary.failed.push({ path: result.error.path, reason: result.error.reason });
        failedSources.add(sourceOfErrorPath(result.error.path));
        processed += 1;
        report(result.error.path);
        continue;
      }
      let { document } = result;
      // A document met again: its first version may still be on its way to the store.
      if (seenIds.has(document.id)) await inFlight;
      seenIds.add(document.id);
      const storedHash = `${fingerprint}:${document.contentHash}`;
      const previous = await options.store.getDocumentHash(namespace, document.id);
      if (previous === storedHash) {
        summary.unchanged += 1;
        processed += 1;
        report(document.source);
        continue;
      }
      if (options.redactPii) document = redactDocument(document, summary.piiRedacted);
      const chunkStarted = performance.now();
      const chunks = chunker.chunk(document);
      chunkMs += performance.now() - chunkStarted;
      const injection = scanInjection ? scanForInjection(document) : undefined;
      pending.push({
        document,
        chunks,
        storedHash,
        isNew: previous === undefined,
        ...(injection ? { injection } : {}),
      });
      pendingChunks += chunks.length;
      if (pendingChunks >= batchSize) await flush();
    }
    await flush();
  } catch (error) {
    await settle(true);
    throw error;
  }
  await settle(false);

  if (options.prune) {
    // A single-file input speaks only for that file, not for the rest of its folder.
    const scope = { collection, ...(inputStats.isFile() ? { file: path.basename(input) } : {}) };
    summary.pruned = await pruneMissing(options.store, namespace, scope, seenIds, failedSources);
  }
  summary.totalMs = performance.now() - started;
  Object.assign(run.attributes, {
    collection,
    added: summary.added,
    updated: summary.updated,
    unchanged: summary.unchanged,
    pruned: summary.pruned,
    failed: summary.failed.length,
    quarantined: summary.quarantined.length,
    chunksWritten: summary.chunksWritten,
  });
  return summary;
}

/** The injection finding for a document, or undefined when the scan finds nothing. */
function scanForInjection(document: CairnDocument): InjectionFinding | undefined {
  const verdict = detectInjection(`${document.title}\n${document.text}`, { channel: 'document' });
  if (!verdict.flagged || !verdict.category) return undefined;
  const strongest =
    verdict.signals.find((signal) => signal.category === verdict.category) ?? verdict.signals[0];
  return {
    category: verdict.category,
    rules: [...new Set(verdict.signals.map((signal) => signal.rule))],
    excerpt: strongest?.excerpt ?? '',
    score: verdict.score,
    detectedAt: new Date().toISOString(),
  };
}

/** The document with personal data replaced in its title, text and blocks; counts added to `counts`. */
function redactDocument(document: CairnDocument, counts: Record<string, number>): CairnDocument {
  const redact = (text: string) => {
    const result = redactPii(text);
    for (const [type, count] of Object.entries(result.redacted)) counts[type] = (counts[type] ?? 0) + count;
    return result.text;
  };
  return {
    ...document,
    title: redactPii(document.title).text,
    text: redactPii(document.text).text,
    // Counted once, on the blocks: the chunks are made from them.
    blocks: document.blocks.map((block) => ({ ...block, text: redact(block.text) })),
  };
}

/**
 * The collection an ingest root goes into, bound to it in the store. Without an explicit name the
 * root keeps the collection it is bound to, else takes its folder's name, refusing one that
 * already holds another root. An explicit name rebinds (the folder moved); a root known under
 * another name is renamed to it, so its documents are not indexed twice.
 */
async function resolveCollection(
  store: Store,
  namespace: string,
  root: string,
  explicit: string | undefined,
): Promise<string> {
  const bindings = await store.listCollections(namespace);
  const current = bindings.find((binding) => binding.root === root);
  if (explicit === undefined) {
    if (current) return current.name;
    const name = checkCollectionName(defaultCollectionName(root), { folder: root });
    const bound = bindings.find((binding) => binding.name === name);
    if (bound) {
      throw new CairnError(
        'invalid_option',
        `collection "${name}" already holds ${bound.root}; pass --collection OTHER to keep both, ` +
          `or --collection ${name} to declare this the same collection moved`,
      );
    }
    await store.bindCollection(namespace, { name, root });
    return name;
  }
  const name = checkCollectionName(explicit, 'flag');
  if (current && current.name !== name) {
    const bound = bindings.find((binding) => binding.name === name);
    if (bound) {
      throw new CairnError(
        'invalid_option',
        `${root} is collection "${current.name}" and collection "${name}" already holds ${bound.root}; ` +
          `pass --collection ${current.name}, or another name`,
      );
    }
    await store.renameCollection(namespace, current.name, name);
  }
  await store.bindCollection(namespace, { name, root });
  return name;
}

/** Deletes documents of the collection (or of one file of it) not seen in the run, sparing failed sources. */
async function pruneMissing(
  store: Store,
  namespace: string,
  scope: { collection: string; file?: string },
  seenIds: Set<string>,
  failedSources: Set<string>,
): Promise<number> {
  let pruned = 0;
  for (const document of await store.listDocuments(namespace)) {
    if (document.metadata.collection !== scope.collection || seenIds.has(document.id)) continue;
    const file = sourceFile(document);
    if (failedSources.has(file) || (scope.file !== undefined && file !== scope.file)) continue;
    if (await store.deleteDocument(namespace, document.id)) pruned += 1;
  }
  return pruned;
}

/** The file a document came from, relative to its collection root (a BEIR source is `<file>#<_id>`). */
function sourceFile(document: { id: string; source: string; format: string }): string {
  const suffix = `#${document.id}`;
  return document.format === 'beir' && document.source.endsWith(suffix)
    ? document.source.slice(0, -suffix.length)
    : document.source;
}

/** A loader error path is `file` or `file:line` (JSONL); the file part identifies the source. */
function sourceOfErrorPath(errorPath: string): string {
  return errorPath.replace(/:\d+$/, '');
}

/** Identifies the chunking settings, so changing them re-chunks documents on the next ingest. */
export function chunkingFingerprint(chunking: ChunkingConfig): string {
  const sizes =
    chunking.strategy === 'parent-child'
      ? `${chunking.maxTokens}/${chunking.childMaxTokens}`
      : chunking.strategy === 'token-window'
        ? `${chunking.maxTokens}/${chunking.overlapTokens}`
        : `${chunking.maxTokens}`;
  return `${chunking.strategy}-${sizes}`;
}
