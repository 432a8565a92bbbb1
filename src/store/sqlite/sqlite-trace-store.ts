import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Span, Trace, TraceStore } from '../../spec/index.ts';

const TRACE_SCHEMA = `
CREATE TABLE IF NOT EXISTS traces (
  namespace   TEXT NOT NULL,
  trace_id    TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  label       TEXT NOT NULL,
  spans       TEXT NOT NULL,
  PRIMARY KEY (namespace, trace_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_by_time ON traces (namespace, started_at);
`;

/**
 * Traces kept in the index's own SQLite file (a separate connection; WAL lets it write while the
 * document store reads). Spans are stored as one JSON array per trace: traces are read whole.
 */
export function openSqliteTraceStore(indexPath: string): TraceStore {
  if (indexPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(indexPath)), { recursive: true });
  const db = new Database(indexPath);
  db.pragma('busy_timeout = 5000');
  if (indexPath !== ':memory:') db.pragma('journal_mode = WAL');
  db.exec(TRACE_SCHEMA);
  const insert = db.prepare(
    'INSERT OR REPLACE INTO traces (namespace, trace_id, started_at, duration_ms, label, spans) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const select = db.prepare('SELECT * FROM traces WHERE namespace = ? AND trace_id = ?');
  const list = db.prepare(
    'SELECT namespace, trace_id, started_at, duration_ms, label FROM traces WHERE namespace = ? ORDER BY started_at DESC LIMIT ?',
  );
  type Row = {
    namespace: string;
    trace_id: string;
    started_at: string;
    duration_ms: number;
    label: string;
    spans?: string;
  };
  const toTrace = (row: Row) => ({
    traceId: row.trace_id,
    namespace: row.namespace,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    label: row.label,
  });
  return {
    async saveTrace(trace) {
      insert.run(
        trace.namespace,
        trace.traceId,
        trace.startedAt,
        trace.durationMs,
        trace.label,
        JSON.stringify(trace.spans),
      );
    },
    async getTrace(namespace, traceId) {
      const row = select.get(namespace, traceId) as Row | undefined;
      if (!row) return undefined;
      return { ...toTrace(row), spans: JSON.parse(row.spans ?? '[]') as Span[] } satisfies Trace;
    },
    async listTraces(namespace, options = {}) {
      return (list.all(namespace, options.limit ?? 50) as Row[]).map(toTrace);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
