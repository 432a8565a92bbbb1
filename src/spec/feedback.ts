/** A reader's verdict on one answer. */
export type FeedbackRating = 'up' | 'down';

/** Feedback on one answer, kept with its trace: one entry per trace, the latest verdict wins. */
export interface Feedback {
  traceId: string;
  namespace: string;
  rating: FeedbackRating;
  /** What the reader said about the answer, if anything. */
  comment?: string;
  /** The API key that gave it (its id, never the secret). */
  keyId?: string;
  /** ISO timestamp of the latest verdict. */
  createdAt: string;
}

/** Where answer feedback is kept, per tenant namespace. */
export interface FeedbackStore {
  /** Records the verdict on a trace, replacing an earlier one on the same trace. */
  saveFeedback(feedback: Feedback): Promise<void>;
  getFeedback(namespace: string, traceId: string): Promise<Feedback | undefined>;
  /** The namespace's feedback, newest first, optionally of one rating. @default limit 100 */
  listFeedback(namespace: string, options?: { rating?: FeedbackRating; limit?: number }): Promise<Feedback[]>;
  close(): Promise<void>;
}
