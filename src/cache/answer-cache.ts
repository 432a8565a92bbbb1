import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { dot } from '../embed/normalize-vector.ts';
import { vectorBytes, vectorFromBytes } from '../store/sqlite/vector-bytes.ts';
import { sameQuestion } from './same-question.ts';

/** A document an answer cited, with the content hash it had when the answer was made. */
export interface CitedVersion {
  docId: string;
  contentHash: string;
}

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
  lookupExact(input: { namespace: string; fingerprint: string; question: string }): CacheHit | undefined;
  lookupSemantic(input: {
    namespace: string;
    fingerprint: string;
    /** The asked question, checked against each candidate's question. */
    question: string;
    embedding: Float32Array;
    minSimilarity: number;
  }): CacheHit | undefined;
  put(input: {
    namespace: string;
    fingerprint: string;
    question: string;
    embedding?: Float32Array;
    value: unknown;
    citedVersions: CitedVersion[];
  }): void;
  /** Removes one entry (a stale hit). */
  remove(id: string): void;
  /** Removes every entry of a tenant that cites the document, e.g. when it is deleted or changed. */
  invalidateDocument(namespace: string, docId: string): number;
  /** Counts one lookup's outcome (for stats and metrics); lookups themselves count nothing. */
  record(outcome: 'exact' | 'semantic' | 'miss' | 'stale'): void;
  stats(): CacheStats;
  close(): void;
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

interface Row {
  id: string;
  question: string;
  embedding: Buffer | null;
  value: string;
  cited: string;
  created_at: number;
}

/** Opens the cache table in the index file (its own connection). */
export function openAnswerCache(indexPath: string, options: AnswerCacheOptions = {}): AnswerCache {
  const ttlMs = (options.ttlSeconds ?? 86_400) * 1000;
  const maxEntries = options.maxEntriesPerTenant ?? 10_000;
  const now = options.now ?? Date.now;
  const asksTheSame = options.sameQuestion ?? sameQuestion;
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS answer_cache (
    id TEXT PRIMARY KEY, namespace TEXT NOT NULL, fingerprint TEXT NOT NULL, question_key TEXT NOT NULL,
    question TEXT NOT NULL, embedding BLOB, value TEXT NOT NULL, cited TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS answer_cache_exact ON answer_cache (namespace, fingerprint, question_key);
    CREATE INDEX IF NOT EXISTS answer_cache_age ON answer_cache (namespace, created_at);`);
  const stats: CacheStats = { exactHits: 0, semanticHits: 0, misses: 0, stale: 0, stored: 0 };
  const key = (question: string) => createHash('sha256').update(normalizeQuestion(question)).digest('hex');
  const exact = db.prepare(
    `SELECT * FROM answer_cache WHERE namespace = ? AND fingerprint = ? AND question_key = ? AND created_at > ?
     ORDER BY created_at DESC LIMIT 1`,
  );
  const candidates = db.prepare(
    `SELECT id, question, embedding, value, cited, created_at FROM answer_cache
     WHERE namespace = ? AND fingerprint = ? AND created_at > ? AND embedding IS NOT NULL`,
  );
  const toHit = (row: Row, kind: CacheHit['kind'], similarity: number): CacheHit => ({
    id: row.id,
    kind,
    similarity,
    question: row.question,
    value: JSON.parse(row.value) as unknown,
    citedVersions: JSON.parse(row.cited) as CitedVersion[],
    createdAt: new Date(row.created_at).toISOString(),
  });

  return {
    lookupExact({ namespace, fingerprint, question }) {
      const row = exact.get(namespace, fingerprint, key(question), now() - ttlMs) as Row | undefined;
      return row ? toHit(row, 'exact', 1) : undefined;
    },
    lookupSemantic({ namespace, fingerprint, question, embedding, minSimilarity }) {
      let best: { row: Row; similarity: number } | undefined;
      for (const row of candidates.iterate(namespace, fingerprint, now() - ttlMs) as Iterable<Row>) {
        const similarity = cosine(embedding, vectorFromBytes(row.embedding as Buffer));
        if (
          similarity >= minSimilarity &&
          similarity > (best?.similarity ?? -1) &&
          asksTheSame(row.question, question)
        )
          best = { row, similarity };
      }
      return best ? toHit(best.row, 'semantic', best.similarity) : undefined;
    },
    put({ namespace, fingerprint, question, embedding, value, citedVersions }) {
      db.transaction(() => {
        db.prepare(
          'DELETE FROM answer_cache WHERE namespace = ? AND fingerprint = ? AND question_key = ?',
        ).run(namespace, fingerprint, key(question));
        db.prepare(
          `INSERT INTO answer_cache (id, namespace, fingerprint, question_key, question, embedding, value, cited, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          randomUUID(),
          namespace,
          fingerprint,
          key(question),
          question,
          embedding ? vectorBytes(embedding) : null,
          JSON.stringify(value),
          JSON.stringify(citedVersions),
          now(),
        );
        // Expired entries and the oldest beyond the cap go.
        db.prepare('DELETE FROM answer_cache WHERE namespace = ? AND created_at <= ?').run(
          namespace,
          now() - ttlMs,
        );
        db.prepare(
          `DELETE FROM answer_cache WHERE namespace = ? AND id NOT IN
             (SELECT id FROM answer_cache WHERE namespace = ? ORDER BY created_at DESC LIMIT ?)`,
        ).run(namespace, namespace, maxEntries);
      })();
      stats.stored += 1;
    },
    remove(id) {
      db.prepare('DELETE FROM answer_cache WHERE id = ?').run(id);
    },
    invalidateDocument(namespace, docId) {
      return db
        .prepare(
          `DELETE FROM answer_cache WHERE namespace = ?
           AND EXISTS (SELECT 1 FROM json_each(cited) WHERE json_extract(value, '$.docId') = ?)`,
        )
        .run(namespace, docId).changes;
    },
    record(outcome) {
      if (outcome === 'exact') stats.exactHits += 1;
      else if (outcome === 'semantic') stats.semanticHits += 1;
      else if (outcome === 'miss') stats.misses += 1;
      else stats.stale += 1;
    },
    stats: () => ({ ...stats }),
    close() {
      if (db.open) db.close();
    },
  };
}

/** Cosine similarity; stored and query embeddings need not be unit length. */
function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  const norms = dot(a, a) * dot(b, b);
  return norms === 0 ? 0 : dot(a, b) / Math.sqrt(norms);
}
