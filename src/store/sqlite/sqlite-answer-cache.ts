import type { AnswerCacheStore, CacheEntry, CitedVersion } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';
import { vectorBytes, vectorFromBytes } from './vector-bytes.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS answer_cache (
  id TEXT PRIMARY KEY, namespace TEXT NOT NULL, fingerprint TEXT NOT NULL, question_key TEXT NOT NULL,
  question TEXT NOT NULL, embedding BLOB, value TEXT NOT NULL, cited TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS answer_cache_exact ON answer_cache (namespace, fingerprint, question_key);
CREATE INDEX IF NOT EXISTS answer_cache_age ON answer_cache (namespace, created_at);`;

interface Row {
  id: string;
  namespace: string;
  fingerprint: string;
  question_key: string;
  question: string;
  embedding: Buffer | null;
  value: string;
  cited: string;
  created_at: number;
}

const toEntry = (row: Row): CacheEntry => ({
  id: row.id,
  namespace: row.namespace,
  fingerprint: row.fingerprint,
  questionKey: row.question_key,
  question: row.question,
  embedding: row.embedding ? vectorFromBytes(row.embedding) : null,
  value: JSON.parse(row.value) as unknown,
  citedVersions: JSON.parse(row.cited) as CitedVersion[],
  createdAt: row.created_at,
});

/** The `answer_cache` table in the index file (its own connection). */
export function openSqliteAnswerCache(indexPath: string): AnswerCacheStore {
  const connection = lazyConnection(indexPath, (db) => db.exec(SCHEMA));
  return {
    async findExact({ namespace, fingerprint, questionKey, expiredAt }) {
      const row = connection
        .prepare(
          `SELECT * FROM answer_cache WHERE namespace = ? AND fingerprint = ? AND question_key = ? AND created_at > ?
           ORDER BY created_at DESC LIMIT 1`,
        )
        .get(namespace, fingerprint, questionKey, expiredAt) as Row | undefined;
      return row ? toEntry(row) : undefined;
    },
    async listWithEmbeddings({ namespace, fingerprint, expiredAt }) {
      const rows = connection
        .prepare(
          `SELECT * FROM answer_cache
           WHERE namespace = ? AND fingerprint = ? AND created_at > ? AND embedding IS NOT NULL`,
        )
        .all(namespace, fingerprint, expiredAt) as Row[];
      return rows.map(toEntry);
    },
    async put(entry, retention) {
      const { db } = connection;
      db.transaction(() => {
        connection
          .prepare('DELETE FROM answer_cache WHERE namespace = ? AND fingerprint = ? AND question_key = ?')
          .run(entry.namespace, entry.fingerprint, entry.questionKey);
        connection
          .prepare(
            `INSERT INTO answer_cache (id, namespace, fingerprint, question_key, question, embedding, value, cited, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            entry.id,
            entry.namespace,
            entry.fingerprint,
            entry.questionKey,
            entry.question,
            entry.embedding ? vectorBytes(entry.embedding) : null,
            JSON.stringify(entry.value),
            JSON.stringify(entry.citedVersions),
            entry.createdAt,
          );
        connection
          .prepare('DELETE FROM answer_cache WHERE namespace = ? AND created_at <= ?')
          .run(entry.namespace, retention.expiredAt);
        connection
          .prepare(
            `DELETE FROM answer_cache WHERE namespace = ? AND id NOT IN
             (SELECT id FROM answer_cache WHERE namespace = ? ORDER BY created_at DESC LIMIT ?)`,
          )
          .run(entry.namespace, entry.namespace, retention.maxEntries);
      })();
    },
    async remove(id) {
      connection.prepare('DELETE FROM answer_cache WHERE id = ?').run(id);
    },
    async invalidateDocument(namespace, docId) {
      return connection
        .prepare(
          `DELETE FROM answer_cache WHERE namespace = ?
           AND EXISTS (SELECT 1 FROM json_each(cited) WHERE json_extract(value, '$.docId') = ?)`,
        )
        .run(namespace, docId).changes;
    },
    async close() {
      connection.close();
    },
  };
}
