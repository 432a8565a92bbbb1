import type { Chunk } from '../spec/index.ts';

/** A chunk before it has an id: one of a document's chunks, in document order. */
export interface ChunkDraft {
  role: Chunk['role'];
  text: string;
  tokenCount: number;
  headingsPath: string[];
  page?: number;
  /** Index of the parent among the same drafts, for `role: 'child'`. */
  parentIndex?: number;
}

/** Turns a document's drafts into chunks with ids `${docId}#${ordinal}`, ordinals 0..n-1 in draft order. */
export function numberChunks(docId: string, drafts: readonly ChunkDraft[]): Chunk[] {
  const id = (ordinal: number): string => `${docId}#${ordinal}`;
  return drafts.map((draft, ordinal) => ({
    id: id(ordinal),
    docId,
    ordinal,
    role: draft.role,
    ...(draft.parentIndex === undefined ? {} : { parentId: id(draft.parentIndex) }),
    text: draft.text,
    tokenCount: draft.tokenCount,
    metadata: {
      headingsPath: [...draft.headingsPath],
      ...(draft.page === undefined ? {} : { page: draft.page }),
    },
  }));
}
