import type pg from 'pg';
import type { Span, Trace, TraceStore } from '../../spec/index.ts';

type Row = {
  namespace: string;
  trace_id: string;
  started_at: string;
  duration_ms: number;
  label: string;
  spans?: Span[];
};

const toSummary = (row: Row): Omit<Trace, 'spans'> => ({
  traceId: row.trace_id,
  namespace: row.namespace,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  label: row.label,
});

/** Traces in the `traces` table; spans are one JSONB array per trace, as traces are read whole. */
export function createPgTraces(pool: pg.Pool): TraceStore {
  return {
    async saveTrace(trace) {
      await pool.query(
        `INSERT INTO traces (namespace, trace_id, started_at, duration_ms, label, spans) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (namespace, trace_id) DO UPDATE SET started_at = excluded.started_at,
           duration_ms = excluded.duration_ms, label = excluded.label, spans = excluded.spans`,
        [
          trace.namespace,
          trace.traceId,
          trace.startedAt,
          trace.durationMs,
          trace.label,
          JSON.stringify(trace.spans),
        ],
      );
    },
    async getTrace(namespace, traceId) {
      const { rows } = await pool.query<Row>('SELECT * FROM traces WHERE namespace = $1 AND trace_id = $2', [
        namespace,
        traceId,
      ]);
      const row = rows[0];
      return row ? { ...toSummary(row), spans: row.spans ?? [] } : undefined;
    },
    async listTraces(namespace, options = {}) {
      const { rows } = await pool.query<Row>(
        `SELECT namespace, trace_id, started_at, duration_ms, label FROM traces WHERE namespace = $1
         ORDER BY started_at DESC LIMIT $2`,
        [namespace, options.limit ?? 50],
      );
      return rows.map(toSummary);
    },
    async close() {},
  };
}
