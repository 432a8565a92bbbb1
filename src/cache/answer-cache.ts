import { createHash, randomUUID } from 'node:crypto';
import { dot } from '../embed/normalize-vector.ts';
import type { AnswerCacheStore, CacheEntry, CitedVersion } from '../spec/index.ts';
import { sameQuestion } from './same-question.ts';

export type { CitedVersion } from '../spec/index.ts';

/** What a lookup found. `value` is whatever the caller stored (cairn stores the answer). */
export interface CacheHit {
  id: string;
  kind: 'exact' | 'semantic';
  /** Cosine similarity of the questions (1 for exact hits). */
  similarity: number;
  question: string;
  value: unknown;
  citedVersions: CitedVersion[];
  createdAt: string;
}

/** Counts since the cache was opened, for metrics and benchmarks. */
export interface CacheStats {
  exactHits: number;
  semanticHits: number;
  misses: number;
  /** Hits dropped because a cited document changed or disappeared. */
  stale: number;
  stored: number;
}

/** Settings of an answer cache. */
export interface AnswerCacheOptions {
  /** Entries older than this are never served. @default 86400 (one day) */
  ttlSeconds?: number;
  /** Per tenant; the oldest are evicted beyond it. @default 10000 */
  maxEntriesPerTenant?: number;
  /**
   * Whether an answer cached for one question may be served for another that is similar enough;
   * a semantic hit needs both. @default {@link sameQuestion} (numbers, entities, negation and
   * opposites must agree)
   */
  sameQuestion?: (cachedQuestion: string, askedQuestion: string) => boolean;
  now?: () => number;
}

/**
 * Answers kept per tenant (namespace) and per pipeline fingerprint, so a tenant never sees
 * another's answers and a config change never serves answers made under the old one. Exact hits
 * match the normalised question; semantic hits the nearest cached question by embedding that asks
 * the same thing (see {@link sameQuestion}): "Who won the 2019 Harrowgate Classic?" is never served
 * the answer cached for 2021, however similar the embeddings.
 */
export interface AnswerCache {
  lookupExact(input: {
    namespace: string;
    fingerprint: string;
    question: string;
  }): Promise<CacheHit | undefined>;
  lookupSemantic(input: {
    namespace: string;
    fingerprint: string;
    /** The asked question, checked against each candidate's question. */
    question: string;
    embedding: Float32Array;
    minSimilarity: number;
  }): Promise<CacheHit | undefined>;
  put(input: {
    namespace: string;
    fingerprint: string;
    question: string;
    embedding?: Float32Array;
    value: unknown;
    citedVersions: CitedVersion[];
  }): Promise<void>;
  /** Removes one entry (a stale hit). */
  remove(id: string): Promise<void>;
  /** Removes every entry of a tenant that cites the document, e.g. when it is deleted or changed. */
  invalidateDocument(namespace: string, docId: string): Promise<number>;
  /** Counts one lookup's outcome (for stats and metrics); lookups themselves count nothing. */
  record(outcome: 'exact' | 'semantic' | 'miss' | 'stale'): void;
  stats(): CacheStats;
  /** Closes the storage under the cache. */
  close(): Promise<void>;
}

/** The exact-match form of a question: case, spacing and end punctuation do not matter. */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s?!.]+$/, '');
}

/**
 * The answer cache over a storage backend's {@link AnswerCacheStore}: expiry, the per-tenant cap,
 * question matching and the stats live here, so every backend serves the same hits.
 */
export function createAnswerCache(store: AnswerCacheStore, options: AnswerCacheOptions = {}): AnswerCache {
  const ttlMs = (options.ttlSeconds ?? 86_400) * 1000;
  const maxEntries = options.maxEntriesPerTenant ?? 10_000;
  const now = options.now ?? Date.now;
  const asksTheSame = options.sameQuestion ?? sameQuestion;
  const stats: CacheStats = { exactHits: 0, semanticHits: 0, misses: 0, stale: 0, stored: 0 };
  const key = (question: string) => createHash('sha256').update(normalizeQuestion(question)).digest('hex');
  const toHit = (entry: CacheEntry, kind: CacheHit['kind'], similarity: number): CacheHit => ({
    id: entry.id,
    kind,
    similarity,
    question: entry.question,
    value: entry.value,
    citedVersions: entry.citedVersions,
    createdAt: new Date(entry.createdAt).toISOString(),
  });

  return {
    async lookupExact({ namespace, fingerprint, question }) {
      const entry = await store.findExact({
        namespace,
        fingerprint,
        questionKey: key(question),
        expiredAt: now() - ttlMs,
      });
      return entry ? toHit(entry, 'exact', 1) : undefined;
    },
    async lookupSemantic({ namespace, fingerprint, question, embedding, minSimilarity }) {
      let best: { entry: CacheEntry; similarity: number } | undefined;
      for (const entry of await store.listWithEmbeddings({
        namespace,
        fingerprint,
        expiredAt: now() - ttlMs,
      })) {
        const similarity = cosine(embedding, entry.embedding as Float32Array);
        if (
          similarity >= minSimilarity &&
          similarity > (best?.similarity ?? -1) &&
          asksTheSame(entry.question, question)
        )
          best = { entry, similarity };
      }
      return best ? toHit(best.entry, 'semantic', best.similarity) : undefined;
    },
    async put({ namespace, fingerprint, question, embedding, value, citedVersions }) {
      const createdAt = now();
      await store.put(
        {
          id: randomUUID(),
          namespace,
          fingerprint,
          questionKey: key(question),
          question,
          embedding: embedding ?? null,
          value,
          citedVersions,
          createdAt,
        },
        // Expired entries and the oldest beyond the cap go.
        { expiredAt: createdAt - ttlMs, maxEntries },
      );
      stats.stored += 1;
    },
    remove: (id) => store.remove(id),
    invalidateDocument: (namespace, docId) => store.invalidateDocument(namespace, docId),
    record(outcome) {
      if (outcome === 'exact') stats.exactHits += 1;
      else if (outcome === 'semantic') stats.semanticHits += 1;
      else if (outcome === 'miss') stats.misses += 1;
      else stats.stale += 1;
    },
    stats: () => ({ ...stats }),
    close: () => store.close(),
  };
}

/** Cosine similarity; stored and query embeddings need not be unit length. */
function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  const norms = dot(a, a) * dot(b, b);
  return norms === 0 ? 0 : dot(a, b) / Math.sqrt(norms);
}
