import type { Chunk } from '../../spec/index.ts';

/**
 * Text indexed for BM25: the document title and heading path give every chunk its context. The
 * same text as the SQLite store indexes (and the ingest pipeline embeds), so both score alike.
 */
export function searchableText(title: string, chunk: Pick<Chunk, 'text' | 'metadata'>): string {
  const headings = chunk.metadata.headingsPath ?? [];
  return [title, ...headings, chunk.text].filter((part) => part.trim() !== '').join('\n');
}
