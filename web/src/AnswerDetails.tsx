import { useState } from 'react';
import { type AskDone, api, type Span } from './api.ts';

const STAGES = [
  ['embedMs', 'embed'],
  ['retrieveMs', 'retrieve'],
  ['generateMs', 'generate'],
  ['guardMs', 'guard'],
] as const;

/** Per-answer latency by stage, tokens, cost, and the trace as a waterfall on demand. */
export function AnswerDetails({ apiKey, done }: { apiKey: string; done: AskDone }) {
  const [spans, setSpans] = useState<Span[] | null>(null);
  const [error, setError] = useState('');
  const total = Math.max(done.timings.totalMs, 1);
  const loadTrace = async () => {
    try {
      const { trace } = await api<{ trace: { spans: Span[] } }>(apiKey, `/v1/traces/${done.traceId}`);
      setSpans(trace.spans);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <details className="details">
      <summary>
        {done.timings.totalMs.toFixed(0)} ms · {done.usage.inputTokens + done.usage.outputTokens} tokens ·{' '}
        {done.usage.costUsd === null ? 'unpriced' : `$${done.usage.costUsd.toFixed(6)}`} · {done.usage.model}
        {done.cache && ` · from cache (${done.cache.hit})`}
      </summary>
      <table className="stages">
        <caption className="visually-hidden">Latency per stage</caption>
        <tbody>
          {STAGES.map(([field, label]) => (
            <tr key={field}>
              <th scope="row">{label}</th>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${(done.timings[field] / total) * 100}%` }} />
              </td>
              <td>{done.timings[field].toFixed(1)} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {done.usage.inputTokens} input / {done.usage.outputTokens} output tokens
        {done.timings.firstTokenMs !== null
          ? ` · first token after ${done.timings.firstTokenMs.toFixed(0)} ms`
          : ''}{' '}
        · trace <code>{done.traceId}</code>
      </p>
      {spans ? (
        <Waterfall spans={spans} />
      ) : (
        <button type="button" onClick={loadTrace}>
          Show trace
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </details>
  );
}

function Waterfall({ spans }: { spans: Span[] }) {
  const end = Math.max(...spans.map((span) => span.startMs + span.durationMs), 1);
  const depth = (span: Span): number => {
    const parent = spans.find((candidate) => candidate.spanId === span.parentSpanId);
    return parent ? depth(parent) + 1 : 0;
  };
  return (
    <ol className="waterfall" aria-label="Trace waterfall">
      {spans.map((span) => (
        <li key={span.spanId}>
          <span className="span-name" style={{ paddingLeft: `${depth(span)}em` }}>
            {span.name}
          </span>
          <span className="span-track">
            <span
              className="span-bar"
              style={{
                left: `${(span.startMs / end) * 100}%`,
                width: `${Math.max((span.durationMs / end) * 100, 0.5)}%`,
              }}
            />
          </span>
          <span className="span-ms">{span.durationMs.toFixed(1)} ms</span>
        </li>
      ))}
    </ol>
  );
}
