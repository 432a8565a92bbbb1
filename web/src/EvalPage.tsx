import { useEffect, useState } from 'react';
import { ApiError, api } from './api.ts';

interface RunSummary {
  runId: string;
  createdAt: string;
  label: string;
  answerer: string;
  judge: string;
  split: string;
  items: number;
  aggregates: Record<string, { mean: number | null } | undefined>;
  latency: { total: { p50: number; p95: number } };
  /** Per judged metric, from the server's stored judge-check: agreement of the metric with people. */
  trust?: Record<
    string,
    { status: 'trusted' | 'untrusted' | 'unvalidated'; kappa: number | null; text: string }
  >;
}

const SHOWN = [
  'faithfulness',
  'citation_accuracy',
  'key_fact_recall',
  'token_f1',
  'abstention_accuracy',
  'false_abstention',
  'context_precision',
];

/** Stored evaluation runs (admin keys); each opens its full HTML report with the charts. */
export function EvalPage({ apiKey }: { apiKey: string }) {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState('');
  const [report, setReport] = useState<string | null>(null);
  useEffect(() => {
    api<{ runs: RunSummary[] }>(apiKey, '/v1/eval-runs')
      .then((body) => setRuns(body.runs))
      .catch((caught: unknown) =>
        setError(
          caught instanceof ApiError && caught.status === 403
            ? 'Evaluation runs are visible to admin keys.'
            : (caught as Error).message,
        ),
      );
  }, [apiKey]);
  const open = async (runId: string) => {
    const response = await fetch(`/v1/eval-runs/${runId}/report`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    setReport(await response.text());
  };
  if (error) return <p className="muted">{error}</p>;
  if (!runs) return <p className="muted">Loading…</p>;
  if (runs.length === 0)
    return (
      <p className="muted">
        No stored runs yet. Run <code>npx cairn eval answers --golden corpus/golden.jsonl</code> on the
        server.
      </p>
    );
  const anyUntrusted = runs.some((run) =>
    SHOWN.some((metric) => run.trust?.[metric] && run.trust[metric]?.status !== 'trusted'),
  );
  return (
    <div className="eval">
      {anyUntrusted && (
        <p className="warning" role="note">
          Metrics marked <strong>untrusted</strong> come from a judge or lexical proxy whose agreement with
          human grades (Cohen's kappa, stored by <code>cairn eval judge-check --save</code>) is under 0.4, or
          was never measured: read them as hints, not as quality.
        </p>
      )}
      <table>
        <caption>Evaluation runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Split</th>
            {SHOWN.map((metric) => (
              <th scope="col" key={metric}>
                {metric.replace(/_/g, ' ')}
              </th>
            ))}
            <th scope="col">p95 ms</th>
            <th scope="col">
              <span className="visually-hidden">Report</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.runId}>
              <td>
                {run.label}
                <div className="muted">{run.createdAt.slice(0, 16).replace('T', ' ')}</div>
              </td>
              <td>
                {run.split} · {run.items}
              </td>
              {SHOWN.map((metric) => {
                const mark = run.trust?.[metric];
                const flagged = mark !== undefined && mark.status !== 'trusted';
                return (
                  <td key={metric}>
                    {run.aggregates[metric]?.mean?.toFixed(3) ?? '—'}
                    {flagged && (
                      <span className="untrusted" title={mark.text}>
                        {' '}
                        {mark.status === 'untrusted' ? 'untrusted' : 'unvalidated'}
                        {mark.kappa !== null && ` (κ ${mark.kappa.toFixed(2)})`}
                      </span>
                    )}
                  </td>
                );
              })}
              <td>{run.latency.total.p95.toFixed(0)}</td>
              <td>
                <button type="button" onClick={() => open(run.runId)}>
                  Report
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report && <iframe title="Evaluation report" className="report" srcDoc={report} sandbox="" />}
    </div>
  );
}
