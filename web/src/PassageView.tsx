import { useEffect, useRef, useState } from 'react';
import { api, type Citation } from './api.ts';

interface DocumentChunk {
  id: string;
  ordinal: number;
  role: 'leaf' | 'child' | 'parent';
  parentId?: string;
  text: string;
}

/**
 * The cited passage inside its whole document: the document's sections in order, the cited one
 * highlighted and scrolled into view, and the words the answer quoted from it marked.
 */
export function PassageView({
  apiKey,
  citation,
  sentence,
  onClose,
}: {
  apiKey: string;
  citation: Citation;
  sentence: string;
  onClose(): void;
}) {
  const closeButton = useRef<HTMLButtonElement>(null);
  const cited = useRef<HTMLDivElement>(null);
  const [chunks, setChunks] = useState<DocumentChunk[] | null>(null);
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  useEffect(() => {
    setChunks(null);
    api<{ chunks: DocumentChunk[] }>(apiKey, `/v1/documents/${encodeURIComponent(citation.docId)}/chunks`)
      .then((body) => setChunks(body.chunks))
      .catch(() => setChunks([]));
  }, [apiKey, citation.docId]);
  useEffect(() => {
    if (chunks) cited.current?.scrollIntoView?.({ block: 'nearest' });
  }, [chunks]);
  // Parent-child documents are shown by their parents; others by their chunks.
  const sections = (chunks ?? []).filter((chunk) => chunk.role !== 'child');
  const citedId = (chunks ?? []).find((chunk) => chunk.id === citation.chunkId)?.parentId ?? citation.chunkId;
  const shown =
    sections.length > 0
      ? sections
      : [{ id: citation.chunkId, ordinal: 0, role: 'leaf' as const, text: citation.text }];
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
      <div className="document-text">
        {shown.map((chunk) =>
          chunk.id === citedId ? (
            <div key={chunk.id} ref={cited} className="cited-passage" aria-current="true">
              {highlight(chunk.text, sentence)}
            </div>
          ) : (
            <div key={chunk.id} className="other-passage">
              {chunk.text}
            </div>
          ),
        )}
      </div>
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
