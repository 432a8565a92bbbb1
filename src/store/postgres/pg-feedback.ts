import type pg from 'pg';
import type { Feedback, FeedbackRating, FeedbackStore } from '../../spec/index.ts';

type Row = {
  namespace: string;
  trace_id: string;
  rating: FeedbackRating;
  comment: string | null;
  key_id: string | null;
  created_at: string;
};

/** Answer feedback in the `feedback` table: a rating given on one API node is seen on every other. */
export function createPgFeedback(pool: pg.Pool): FeedbackStore {
  const toFeedback = (row: Row): Feedback => ({
    traceId: row.trace_id,
    namespace: row.namespace,
    rating: row.rating,
    ...(row.comment !== null ? { comment: row.comment } : {}),
    ...(row.key_id !== null ? { keyId: row.key_id } : {}),
    createdAt: row.created_at,
  });
  return {
    async saveFeedback(feedback) {
      await pool.query(
        `INSERT INTO feedback (namespace, trace_id, rating, comment, key_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (namespace, trace_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
           key_id = excluded.key_id, created_at = excluded.created_at`,
        [
          feedback.namespace,
          feedback.traceId,
          feedback.rating,
          feedback.comment ?? null,
          feedback.keyId ?? null,
          feedback.createdAt,
        ],
      );
    },
    async getFeedback(namespace, traceId) {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM feedback WHERE namespace = $1 AND trace_id = $2',
        [namespace, traceId],
      );
      return rows[0] ? toFeedback(rows[0]) : undefined;
    },
    async listFeedback(namespace, options = {}) {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM feedback WHERE namespace = $1 AND ($2::text IS NULL OR rating = $2)
         ORDER BY created_at DESC, trace_id LIMIT $3`,
        [namespace, options.rating ?? null, options.limit ?? 100],
      );
      return rows.map(toFeedback);
    },
    async close() {},
  };
}
