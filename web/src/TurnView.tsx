import { type MouseEvent, useMemo, useState } from 'react';
import { AnswerDetails } from './AnswerDetails.tsx';
import { answerHtml, chipsAfterPunctuation } from './answer-html.ts';
import { type AskDone, api, type Citation } from './api.ts';
import type { Turn } from './conversations.ts';
import { PassageView } from './PassageView.tsx';

/**
 * One question and its answer: a waiting indicator until the first token, the streamed answer as
 * sanitised Markdown with citation chips, the closest passages on abstention, and the actions
 * (copy, ask again, thumbs up or down).
 */
export function TurnView({
  apiKey,
  turn,
  busy,
  onRetry,
  onRated,
}: {
  apiKey: string;
  turn: Turn;
  busy: boolean;
  onRetry(): void;
  onRated(rating: 'up' | 'down'): void;
}) {
  const [open, setOpen] = useState<{ citation: Citation; sentence: string } | null>(null);
  const [notice, setNotice] = useState('');
  const [comment, setComment] = useState('');
  const pending = !turn.done && !turn.error;
  const rate = async (rating: 'up' | 'down', withComment = '') => {
    if (!turn.done) return;
    try {
      await api(apiKey, `/v1/traces/${encodeURIComponent(turn.done.traceId)}/feedback`, {
        method: 'POST',
        body: JSON.stringify(withComment ? { rating, comment: withComment } : { rating }),
      });
      onRated(rating);
      if (withComment) setComment('');
      setNotice(
        withComment
          ? 'Thanks: your comment was sent.'
          : rating === 'up'
            ? 'Thanks: marked as helpful.'
            : 'Thanks: marked as not helpful.',
      );
    } catch (caught) {
      setNotice(`Feedback not sent: ${(caught as Error).message}`);
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(answerWithSources(turn));
      setNotice('Copied the answer and its sources.');
    } catch {
      setNotice('The browser did not allow copying.');
    }
  };
  return (
    <article className="turn">
      <p className="question">{turn.question}</p>
      {pending && turn.answer === '' && (
        <p className="waiting" role="status">
          <span className="dots" aria-hidden="true" /> Searching the documents and answering…
        </p>
      )}
      {turn.answer !== '' && (
        <AnswerMarkdown turn={turn} onCite={(citation, sentence) => setOpen({ citation, sentence })} />
      )}
      {pending && turn.answer !== '' && (
        <p className="streaming muted" role="status">
          Answering…
        </p>
      )}
      {turn.error && (
        <p role="alert" className="error">
          {turn.error}
        </p>
      )}
      {turn.done?.abstained && turn.done.abstainReason !== 'injection_detected' && (
        <ClosestPassages done={turn.done} onOpen={(citation) => setOpen({ citation, sentence: '' })} />
      )}
      {turn.done && <GuardNote done={turn.done} />}
      {(turn.done || turn.error) && (
        <div className="turn-actions">
          {turn.done && (
            <button type="button" onClick={copy}>
              Copy
            </button>
          )}
          <button type="button" onClick={onRetry} disabled={busy}>
            Ask again
          </button>
          {turn.done && (
            <>
              <button
                type="button"
                aria-label="Helpful"
                aria-pressed={turn.rating === 'up'}
                onClick={() => rate('up')}
              >
                Helpful
              </button>
              <button
                type="button"
                aria-label="Not helpful"
                aria-pressed={turn.rating === 'down'}
                onClick={() => rate('down')}
              >
                Not helpful
              </button>
            </>
          )}
          {notice && (
            <span className="muted" role="status">
              {notice}
            </span>
          )}
        </div>
      )}
      {turn.done && turn.rating === 'down' && (
        <form
          className="feedback-comment"
          onSubmit={(event) => {
            event.preventDefault();
            if (comment.trim()) void rate('down', comment.trim());
          }}
        >
          <label htmlFor={`comment-${turn.id}`}>What was wrong? (optional)</label>
          <input
            id={`comment-${turn.id}`}
            value={comment}
            maxLength={2000}
            onChange={(event) => setComment(event.target.value)}
          />
          <button type="submit" disabled={!comment.trim()}>
            Send
          </button>
        </form>
      )}
      {turn.done && <AnswerDetails apiKey={apiKey} done={turn.done} />}
      {open && (
        <PassageView
          apiKey={apiKey}
          citation={open.citation}
          sentence={open.sentence}
          onClose={() => setOpen(null)}
        />
      )}
    </article>
  );
}

/** The answer rendered from Markdown and sanitised; a click on a chip opens its passage. */
function AnswerMarkdown({
  turn,
  onCite,
}: {
  turn: Turn;
  onCite(citation: Citation, sentence: string): void;
}) {
  const { html, chips } = useMemo(
    () => answerHtml(turn.answer, turn.citations),
    [turn.answer, turn.citations],
  );
  const click = (event: MouseEvent<HTMLDivElement>) => {
    const button = (event.target as HTMLElement).closest('button[data-chip]');
    const chip = button ? chips[Number(button.getAttribute('data-chip'))] : undefined;
    if (chip) onCite(chip.citation, chip.sentence);
  };
  // The HTML comes from answerHtml, which sanitises it after rendering; clicks reach the chips
  // through the container, and Enter on a focused chip is a click.
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the chips inside are buttons; the div only delegates their clicks
    // biome-ignore lint/a11y/noStaticElementInteractions: same delegation
    // biome-ignore lint/security/noDangerouslySetInnerHtml: answerHtml sanitises with DOMPurify after rendering Markdown
    <div className="answer" onClick={click} dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/** On abstention: what the search found closest, each openable in its document. */
function ClosestPassages({ done, onOpen }: { done: AskDone; onOpen(citation: Citation): void }) {
  const passages = done.closestPassages ?? [];
  return (
    <div className="closest">
      <p className="muted">Not found in the documents ({done.abstainReason}).</p>
      {passages.length > 0 && (
        <>
          <p className="muted">The closest passages found:</p>
          <ol aria-label="Closest passages">
            {passages.map((passage) => (
              <li key={passage.chunkId}>
                <button type="button" className="link" onClick={() => onOpen(passage)}>
                  {passage.title}
                </button>{' '}
                <span className="muted">{passage.source}</span>
                <p className="excerpt">{excerpt(passage.text)}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

function excerpt(text: string): string {
  return text.length > 280 ? `${text.slice(0, 280).trimEnd()}…` : text;
}

/** The answer as plain text with its numbered sources, for the clipboard. */
export function answerWithSources(turn: Turn): string {
  const sources = turn.citations.map((citation) => `[${citation.n}] ${citation.title} (${citation.source})`);
  return `${chipsAfterPunctuation(turn.answer)}${sources.length > 0 ? `\n\nSources:\n${sources.join('\n')}` : ''}`;
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
