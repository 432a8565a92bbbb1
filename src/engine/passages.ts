import type { RetrievalResult, RetrieveOptions } from '../retrieve/index.ts';
import type { Passage, Store } from '../spec/index.ts';
import type { AskRetrievalOptions } from './ask-types.ts';

/** The retriever options an answer's retrieval settings stand for (k aside, which callers set). */
export function retrieverSettings(
  retrieval: AskRetrievalOptions,
): Pick<RetrieveOptions, 'mode' | 'candidates' | 'fusion' | 'mmr' | 'expandParents'> {
  return {
    ...(retrieval.mode ? { mode: retrieval.mode } : {}),
    ...(retrieval.candidates ? { candidates: retrieval.candidates } : {}),
    ...(retrieval.fusion ? { fusion: retrieval.fusion } : {}),
    ...(retrieval.mmrLambda !== undefined ? { mmr: { lambda: retrieval.mmrLambda } } : {}),
    ...(retrieval.expandParents !== undefined ? { expandParents: retrieval.expandParents } : {}),
  };
}

/** Retrieval results as passages numbered from 1, with their documents' metadata when given. */
export function numberPassages(
  results: RetrievalResult[],
  documentMetadata?: ReadonlyMap<string, NonNullable<Passage['documentMetadata']>>,
): Passage[] {
  return results.map((result, index) => ({
    n: index + 1,
    chunkId: result.chunkId,
    docId: result.docId,
    source: result.source,
    title: result.title,
    text: result.text,
    score: result.score,
    metadata: result.metadata,
    ...(documentMetadata ? { documentMetadata: documentMetadata.get(result.docId) ?? {} } : {}),
  }));
}

/** Numbers the results from 1 and attaches their documents' metadata (dates, supersession). */
export async function toPassages(
  store: Store,
  namespace: string,
  results: RetrievalResult[],
): Promise<Passage[]> {
  const ids = [...new Set(results.map((result) => result.docId))];
  const documents = await store.getDocuments(namespace, ids);
  return numberPassages(results, new Map(documents.map((document) => [document.id, document.metadata])));
}
