import type { Feedback, FeedbackRating } from '../spec/index.ts';

/** The columns an insert writes, in this order: both backends' INSERT lists them so. */
export const FEEDBACK_COLUMNS = 'namespace, trace_id, rating, comment, key_id, created_at';

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

/** The values of {@link FEEDBACK_COLUMNS} for one feedback, absent fields as null. */
export function feedbackValues(feedback: Feedback): (string | null)[] {
  return [
    feedback.namespace,
    feedback.traceId,
    feedback.rating,
    feedback.comment ?? null,
    feedback.keyId ?? null,
    feedback.createdAt,
  ];
}
