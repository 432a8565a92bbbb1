import { type CairnDocument, CairnError, type Chunk } from '../spec/index.ts';

/**
 * Text indexed for BM25: the document title and heading path give every chunk its context. Every
 * store indexes this same text (and the ingest pipeline embeds it), so backends score alike.
 */
export function searchableText(title: string, chunk: Pick<Chunk, 'text' | 'metadata'>): string {
  const headings = chunk.metadata.headingsPath ?? [];
  return [title, ...headings, chunk.text].filter((part) => part.trim() !== '').join('\n');
}

/**
 * Checks a document write before any row is touched: one vector per searchable (non-parent)
 * chunk, each of the index's dimension. Returns the searchable chunks.
 */
export function checkDocumentWrite(
  document: CairnDocument,
  chunks: Chunk[],
  embeddings: Float32Array[],
  dimensions: number,
): Chunk[] {
  const searchable = chunks.filter((chunk) => chunk.role !== 'parent');
  if (searchable.length !== embeddings.length) {
    throw new CairnError(
      'internal',
      `document ${document.id}: ${searchable.length} searchable chunks but ${embeddings.length} embeddings`,
    );
  }
  for (const vector of embeddings) {
    if (vector.length !== dimensions) {
      throw new CairnError(
        'dimension_mismatch',
        `document ${document.id}: got a ${vector.length}-d vector for a ${dimensions}-d index`,
      );
    }
  }
  return searchable;
}
