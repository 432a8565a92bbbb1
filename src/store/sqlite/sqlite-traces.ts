import type { Span, Trace, TraceStore } from '../../spec/index.ts';
import { lazyConnection } from './lazy-connection.ts';

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

type Row = {
  namespace: string;
  trace_id: string;
  started_at: string;
  duration_ms: number;
  label: string;
  spans?: string;
};

const toSummary = (row: Row): Omit<Trace, 'spans'> => ({
  traceId: row.trace_id,
  namespace: row.namespace,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  label: row.label,
});

/**
 * Traces kept in the index's own SQLite file (a separate connection; WAL lets it write while the
 * document store reads). Spans are stored as one JSON array per trace: traces are read whole.
 */
export function openSqliteTraces(indexPath: string): TraceStore {
  const connection = lazyConnection(indexPath, (db) => db.exec(TRACE_SCHEMA), { wal: true });
  return {
    async saveTrace(trace) {
      connection
        .prepare(
          'INSERT OR REPLACE INTO traces (namespace, trace_id, started_at, duration_ms, label, spans) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          trace.namespace,
          trace.traceId,
          trace.startedAt,
          trace.durationMs,
          trace.label,
          JSON.stringify(trace.spans),
        );
    },
    async getTrace(namespace, traceId) {
      const row = connection
        .prepare('SELECT * FROM traces WHERE namespace = ? AND trace_id = ?')
        .get(namespace, traceId) as Row | undefined;
      if (!row) return undefined;
      return { ...toSummary(row), spans: JSON.parse(row.spans ?? '[]') as Span[] };
    },
    async listTraces(namespace, options = {}) {
      const rows = connection
        .prepare(
          'SELECT namespace, trace_id, started_at, duration_ms, label FROM traces WHERE namespace = ? ORDER BY started_at DESC LIMIT ?',
        )
        .all(namespace, options.limit ?? 50) as Row[];
      return rows.map(toSummary);
    },
    async close() {
      connection.close();
    },
  };
}
