import type pg from 'pg';
import type { AnswerCacheStore, CacheEntry, CitedVersion } from '../../spec/index.ts';

interface Row {
  id: string;
  namespace: string;
  fingerprint: string;
  question_key: string;
  question: string;
  embedding: Buffer | null;
  value: unknown;
  cited: CitedVersion[];
  created_at: string;
}

const toEntry = (row: Row): CacheEntry => ({
  id: row.id,
  namespace: row.namespace,
  fingerprint: row.fingerprint,
  questionKey: row.question_key,
  question: row.question,
  // Copied out of the row's buffer, little-endian float32 as the SQLite backend stores it.
  embedding: row.embedding
    ? new Float32Array(
        row.embedding.buffer.slice(
          row.embedding.byteOffset,
          row.embedding.byteOffset + row.embedding.byteLength,
        ),
      )
    : null,
  value: row.value,
  citedVersions: row.cited,
  // BIGINT comes back as a string; milliseconds stay exact far beyond any clock.
  createdAt: Number(row.created_at),
});

/** The answer cache in the `answer_cache` table; values and cited versions are JSONB. */
export function createPgAnswerCache(pool: pg.Pool): AnswerCacheStore {
  return {
    async findExact({ namespace, fingerprint, questionKey, expiredAt }) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM answer_cache WHERE namespace = $1 AND fingerprint = $2 AND question_key = $3
         AND created_at > $4 ORDER BY created_at DESC LIMIT 1`,
        [namespace, fingerprint, questionKey, expiredAt],
      );
      return rows[0] ? toEntry(rows[0]) : undefined;
    },
    async listWithEmbeddings({ namespace, fingerprint, expiredAt }) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM answer_cache WHERE namespace = $1 AND fingerprint = $2 AND created_at > $3
         AND embedding IS NOT NULL`,
        [namespace, fingerprint, expiredAt],
      );
      return rows.map(toEntry);
    },
    async put(entry, retention) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          'DELETE FROM answer_cache WHERE namespace = $1 AND fingerprint = $2 AND question_key = $3',
          [entry.namespace, entry.fingerprint, entry.questionKey],
        );
        await client.query(
          `INSERT INTO answer_cache (id, namespace, fingerprint, question_key, question, embedding, value, cited, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            entry.id,
            entry.namespace,
            entry.fingerprint,
            entry.questionKey,
            entry.question,
            entry.embedding
              ? Buffer.from(entry.embedding.buffer, entry.embedding.byteOffset, entry.embedding.byteLength)
              : null,
            JSON.stringify(entry.value),
            JSON.stringify(entry.citedVersions),
            entry.createdAt,
          ],
        );
        await client.query('DELETE FROM answer_cache WHERE namespace = $1 AND created_at <= $2', [
          entry.namespace,
          retention.expiredAt,
        ]);
        await client.query(
          `DELETE FROM answer_cache WHERE namespace = $1 AND id NOT IN
             (SELECT id FROM answer_cache WHERE namespace = $1 ORDER BY created_at DESC, id LIMIT $2)`,
          [entry.namespace, retention.maxEntries],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async remove(id) {
      await pool.query('DELETE FROM answer_cache WHERE id = $1', [id]);
    },
    async invalidateDocument(namespace, docId) {
      const { rowCount } = await pool.query(
        `DELETE FROM answer_cache WHERE namespace = $1 AND cited @> jsonb_build_array(jsonb_build_object('docId', $2::text))`,
        [namespace, docId],
      );
      return rowCount ?? 0;
    },
    async close() {},
  };
}
