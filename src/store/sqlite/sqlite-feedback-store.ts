import type { FeedbackStore } from '../../spec/index.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow, feedbackFromRow, feedbackValues } from '../feedback-row.ts';
import { lazyConnection } from './lazy-connection.ts';

const FEEDBACK_SCHEMA = `
CREATE TABLE IF NOT EXISTS feedback (
  namespace  TEXT NOT NULL,
  trace_id   TEXT NOT NULL,
  rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  comment    TEXT,
  key_id     TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (namespace, trace_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (namespace, created_at);
`;

/**
 * Answer feedback in the index's own SQLite file, beside the traces it rates (its own connection,
 * opened on first use; the table is created then).
 */
export function openSqliteFeedbackStore(indexPath: string): FeedbackStore {
  const connection = lazyConnection(indexPath, (db) => db.exec(FEEDBACK_SCHEMA), { wal: true });
  return {
    async saveFeedback(feedback) {
      connection
        .prepare(`INSERT OR REPLACE INTO feedback (${FEEDBACK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(...feedbackValues(feedback));
    },
    async getFeedback(namespace, traceId) {
      const row = connection
        .prepare('SELECT * FROM feedback WHERE namespace = ? AND trace_id = ?')
        .get(namespace, traceId) as FeedbackRow | undefined;
      return row ? feedbackFromRow(row) : undefined;
    },
    async listFeedback(namespace, options = {}) {
      const rows = connection
        .prepare(
          `SELECT * FROM feedback WHERE namespace = ? AND (? IS NULL OR rating = ?)
           ORDER BY created_at DESC, trace_id LIMIT ?`,
        )
        .all(namespace, options.rating ?? null, options.rating ?? null, options.limit ?? 100);
      return (rows as FeedbackRow[]).map(feedbackFromRow);
    },
    async close() {
      connection.close();
    },
  };
}
