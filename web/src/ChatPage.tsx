import { type FormEvent, useRef, useState } from 'react';
import { AnswerDetails } from './AnswerDetails.tsx';
import { type AskDone, type Citation, streamAsk } from './api.ts';
import { PassageView } from './PassageView.tsx';

interface Turn {
  id: number;
  question: string;
  answer: string;
  citations: Citation[];
  done: AskDone | null;
  error: string;
}

/** Chat with streamed answers; each [n] opens the cited passage. */
export function ChatPage({ apiKey }: { apiKey: string }) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<{ citation: Citation; sentence: string } | null>(null);
  const abort = useRef<AbortController | null>(null);

  const update = (index: number, change: (turn: Turn) => Turn) =>
    setTurns((all) => all.map((turn, position) => (position === index ? change(turn) : turn)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = question.trim();
    if (!text || busy) return;
    const index = turns.length;
    setTurns((all) => [
      ...all,
      { id: index, question: text, answer: '', citations: [], done: null, error: '' },
    ]);
    setQuestion('');
    setBusy(true);
    abort.current = new AbortController();
    try {
      await streamAsk(
        apiKey,
        text,
        {
          token: (delta) => update(index, (turn) => ({ ...turn, answer: turn.answer + delta })),
          reset: () => update(index, (turn) => ({ ...turn, answer: '', citations: [] })),
          citation: (citation) =>
            update(index, (turn) => ({ ...turn, citations: [...turn.citations, citation] })),
          // The final answer replaces the streamed text: the guard may have dropped invalid citations.
          done: (done) => update(index, (turn) => ({ ...turn, answer: done.answer, done })),
        },
        abort.current.signal,
      );
    } catch (caught) {
      if (!abort.current.signal.aborted)
        update(index, (turn) => ({ ...turn, error: (caught as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="chat">
      <section className="turns" aria-live="polite">
        {turns.length === 0 && <p className="muted">Ask a question about the indexed documents.</p>}
        {turns.map((turn) => (
          <article key={turn.id} className="turn">
            <p className="question">{turn.question}</p>
            <AnswerText turn={turn} onCite={(citation, sentence) => setOpen({ citation, sentence })} />
            {turn.error && (
              <p role="alert" className="error">
                {turn.error}
              </p>
            )}
            {turn.done?.abstained && turn.done.abstainReason !== 'injection_detected' && (
              <p className="muted">Not found in the documents ({turn.done.abstainReason}).</p>
            )}
            {turn.done && <GuardNote done={turn.done} />}
            {turn.done && <AnswerDetails apiKey={apiKey} done={turn.done} />}
          </article>
        ))}
      </section>
      {open && (
        <PassageView
          apiKey={apiKey}
          citation={open.citation}
          sentence={open.sentence}
          onClose={() => setOpen(null)}
        />
      )}
      <form className="ask" onSubmit={submit}>
        <label htmlFor="question" className="visually-hidden">
          Question
        </label>
        <input
          id="question"
          placeholder="Ask about your documents…"
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
          disabled={busy}
        />
        {busy ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!question.trim()}>
            Ask
          </button>
        )}
      </form>
    </div>
  );
}

/** The answer with each `[n]` turned into a button that opens passage n. */
function AnswerText({ turn, onCite }: { turn: Turn; onCite(citation: Citation, sentence: string): void }) {
  const parts = turn.answer.split(/(\[\d{1,3}\])/);
  // Character offsets make stable keys: the text only grows while it streams.
  const offsets = parts.map((_, index) => parts.slice(0, index).join('').length);
  return (
    <p className="answer">
      {parts.map((part, index) => {
        const offset = offsets[index];
        const n = /^\[(\d{1,3})\]$/.exec(part)?.[1];
        const citation = n ? turn.citations.find((candidate) => candidate.n === Number(n)) : undefined;
        if (!citation) return <span key={offset}>{part}</span>;
        const sentence = (parts[index - 1] ?? '').split(/(?<=[.!?])\s+/).at(-1) ?? '';
        return (
          <button
            key={offset}
            type="button"
            className="cite"
            aria-label={`Source ${citation.n}: ${citation.title}`}
            onClick={() => onCite(citation, sentence)}
          >
            {citation.n}
          </button>
        );
      })}
    </p>
  );
}

/** What the guard did to this answer, when it did anything. */
function GuardNote({ done }: { done: AskDone }) {
  const policy = done.policy;
  if (!policy) return null;
  const notes: string[] = [];
  const injection = policy.questionInjection;
  if (injection?.action === 'refused')
    notes.push(`Refused: the question reads as instructions to the assistant (${injection.category}).`);
  if (injection?.action === 'stripped')
    notes.push(
      `Part of the question was ignored as an injection attempt; answered: "${injection.answered}".`,
    );
  const violations = [
    ...new Set(policy.attempts.flatMap((attempt) => (attempt.violation ? [attempt.violation] : []))),
  ];
  if (policy.decision === 'retried')
    notes.push(`First draft discarded (${violations.join(', ')}); answered on retry.`);
  if (policy.decision === 'escalated')
    notes.push('The cheaper model declined or failed; answered by the main model.');
  if (policy.decision === 'fell_back')
    notes.push(`LLM drafts discarded (${violations.join(', ')}); answered by quoting the passages.`);
  if (policy.decision === 'refused' && violations.length > 0)
    notes.push(`No answer met the grounding policy (${violations.join(', ')}).`);
  if (notes.length === 0) return null;
  return (
    <p className="guard-note" role="note">
      {notes.join(' ')}
    </p>
  );
}
