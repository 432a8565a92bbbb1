import type pg from 'pg';
import type { FeedbackStore } from '../../spec/index.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow, feedbackFromRow, feedbackValues } from '../feedback-row.ts';

/** Answer feedback in the `feedback` table: a rating given on one API node is seen on every other. */
export function createPgFeedback(pool: pg.Pool): FeedbackStore {
  return {
    async saveFeedback(feedback) {
      await pool.query(
        `INSERT INTO feedback (${FEEDBACK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (namespace, trace_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
           key_id = excluded.key_id, created_at = excluded.created_at`,
        feedbackValues(feedback),
      );
    },
    async getFeedback(namespace, traceId) {
      const { rows } = await pool.query<FeedbackRow>(
        'SELECT * FROM feedback WHERE namespace = $1 AND trace_id = $2',
        [namespace, traceId],
      );
      return rows[0] ? feedbackFromRow(rows[0]) : undefined;
    },
    async listFeedback(namespace, options = {}) {
      const { rows } = await pool.query<FeedbackRow>(
        `SELECT * FROM feedback WHERE namespace = $1 AND ($2::text IS NULL OR rating = $2)
         ORDER BY created_at DESC, trace_id LIMIT $3`,
        [namespace, options.rating ?? null, options.limit ?? 100],
      );
      return rows.map(feedbackFromRow);
    },
    async close() {},
  };
}
