import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Feedback, FeedbackRating, FeedbackStore } from '../../spec/index.ts';

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

type Row = {
  namespace: string;
  trace_id: string;
  rating: FeedbackRating;
  comment: string | null;
  key_id: string | null;
  created_at: string;
};

/**
 * Answer feedback in the index's own SQLite file, beside the traces it rates (a separate
 * connection; the table is created on first open).
 */
export function openSqliteFeedbackStore(indexPath: string): FeedbackStore {
  if (indexPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(indexPath)), { recursive: true });
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  if (indexPath !== ':memory:') db.pragma('journal_mode = WAL');
  db.exec(FEEDBACK_SCHEMA);
  const upsert = db.prepare(
    'INSERT OR REPLACE INTO feedback (namespace, trace_id, rating, comment, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const select = db.prepare('SELECT * FROM feedback WHERE namespace = ? AND trace_id = ?');
  const listAll = db.prepare(
    'SELECT * FROM feedback WHERE namespace = ? ORDER BY created_at DESC, trace_id LIMIT ?',
  );
  const listRated = db.prepare(
    'SELECT * FROM feedback WHERE namespace = ? AND rating = ? ORDER BY created_at DESC, trace_id LIMIT ?',
  );
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
      upsert.run(
        feedback.namespace,
        feedback.traceId,
        feedback.rating,
        feedback.comment ?? null,
        feedback.keyId ?? null,
        feedback.createdAt,
      );
    },
    async getFeedback(namespace, traceId) {
      const row = select.get(namespace, traceId) as Row | undefined;
      return row ? toFeedback(row) : undefined;
    },
    async listFeedback(namespace, options = {}) {
      const limit = options.limit ?? 100;
      const rows = options.rating
        ? listRated.all(namespace, options.rating, limit)
        : listAll.all(namespace, limit);
      return (rows as Row[]).map(toFeedback);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
