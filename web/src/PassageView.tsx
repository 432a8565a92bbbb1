import { useEffect, useRef } from 'react';
import type { Citation } from './api.ts';

/** The cited passage, with the words of the citing sentence that occur in it highlighted. */
export function PassageView({
  citation,
  sentence,
  onClose,
}: {
  citation: Citation;
  sentence: string;
  onClose(): void;
}) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const location = [citation.source, ...(citation.metadata.headingsPath?.slice(1) ?? [])].join(' › ');
  return (
    <aside className="passage" aria-label={`Source ${citation.n}`}>
      <header>
        <div>
          <strong>
            [{citation.n}] {citation.title}
          </strong>
          <div className="muted">
            {location}
            {citation.metadata.page ? ` · page ${citation.metadata.page}` : ''}
          </div>
        </div>
        <button type="button" ref={closeButton} onClick={onClose} aria-label="Close source">
          ×
        </button>
      </header>
      <div className="passage-text">{highlight(citation.text, sentence)}</div>
    </aside>
  );
}

/** Marks the longest run of the passage that the citing sentence quotes, else nothing. */
function highlight(text: string, sentence: string) {
  const quote = sentence
    .replace(/\s*\[\d+\]\s*/g, ' ')
    .replace(/[.!?]\s*$/, '')
    .trim();
  const words = quote.split(/\s+/).filter(Boolean);
  // Try the whole sentence, then ever shorter prefixes, so quoted answers light up exactly.
  for (let length = words.length; length >= Math.min(4, words.length) && length > 0; length--) {
    const candidate = words.slice(0, length).join(' ');
    const start = text.indexOf(candidate);
    if (start !== -1) {
      return (
        <>
          {text.slice(0, start)}
          <mark>{text.slice(start, start + candidate.length)}</mark>
          {text.slice(start + candidate.length)}
        </>
      );
    }
  }
  return text;
}
