import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type FeedbackEntry } from './api.ts';

type Shown = 'down' | 'up' | 'all';

/**
 * Ratings readers gave answers (admin keys), with each trace's question and answer; a
 * thumbs-down becomes a golden-set candidate line in one click.
 */
export function FeedbackPage({ apiKey }: { apiKey: string }) {
  const [shown, setShown] = useState<Shown>('down');
  const [entries, setEntries] = useState<FeedbackEntry[] | null>(null);
  const [error, setError] = useState('');
  const [candidates, setCandidates] = useState<Record<string, string>>({});
  const load = useCallback(async () => {
    try {
      const query = shown === 'all' ? '' : `?rating=${shown}`;
      setEntries((await api<{ feedback: FeedbackEntry[] }>(apiKey, `/v1/feedback${query}`)).feedback);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 403
          ? 'Feedback is visible to admin keys.'
          : (caught as Error).message,
      );
    }
  }, [apiKey, shown]);
  useEffect(() => {
    void load();
  }, [load]);
  const makeCandidate = async (traceId: string) => {
    try {
      const { line } = await api<{ line: string }>(
        apiKey,
        `/v1/feedback/${encodeURIComponent(traceId)}/golden-candidate`,
        { method: 'POST', body: '{}' },
      );
      setCandidates((all) => ({ ...all, [traceId]: line }));
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <div className="feedback">
      <label>
        Show{' '}
        <select value={shown} onChange={(event) => setShown(event.target.value as Shown)}>
          <option value="down">thumbs down</option>
          <option value="up">thumbs up</option>
          <option value="all">all ratings</option>
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {entries?.length === 0 && <p className="muted">No feedback yet.</p>}
      <ul className="feedback-list" aria-label="Feedback">
        {entries?.map((entry) => (
          <li key={entry.traceId}>
            <p className="question">
              <span className={`rating ${entry.rating}`}>
                {entry.rating === 'down' ? 'Not helpful' : 'Helpful'}
              </span>{' '}
              {entry.question ?? '(trace no longer stored)'}
            </p>
            <p className="excerpt">{entry.answer}</p>
            {entry.comment && <p className="muted">“{entry.comment}”</p>}
            <p className="muted small">
              {new Date(entry.createdAt).toLocaleString()} · trace <code>{entry.traceId}</code>
            </p>
            {candidates[entry.traceId] ? (
              <div className="candidate">
                <p className="muted small">
                  Golden-set candidate: write the reference answer, then append the line to your golden set
                  (or run <code>cairn eval add-from-trace {entry.traceId} --golden FILE</code>).
                </p>
                <pre>{candidates[entry.traceId]}</pre>
                <button
                  type="button"
                  onClick={() => void navigator.clipboard.writeText(candidates[entry.traceId] ?? '')}
                >
                  Copy line
                </button>
              </div>
            ) : (
              <button
                type="button"
                onClick={() => makeCandidate(entry.traceId)}
                disabled={entry.question === null}
              >
                Make golden candidate
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
