import type { Feedback, FeedbackRating } from '../spec/index.ts';

/** A `feedback` table row, as both SQL backends store it. */
export interface FeedbackRow {
  namespace: string;
  trace_id: string;
  rating: FeedbackRating;
  comment: string | null;
  key_id: string | null;
  created_at: string;
}

/** The feedback a row holds; absent comment and key stay absent, not null. */
export function feedbackFromRow(row: FeedbackRow): Feedback {
  return {
    traceId: row.trace_id,
    namespace: row.namespace,
    rating: row.rating,
    ...(row.comment !== null ? { comment: row.comment } : {}),
    ...(row.key_id !== null ? { keyId: row.key_id } : {}),
    createdAt: row.created_at,
  };
}
