import { createHash } from 'node:crypto';
import type { Block, CairnDocument, DocumentFormat } from '../spec/index.ts';

/** The parts of a document a loader decides; the rest is derived by {@link createDocument}. */
export interface DocumentFields {
  id: string;
  source: string;
  title: string;
  format: DocumentFormat;
  blocks: Block[];
  /** @default {} */
  metadata?: Record<string, string | number | boolean>;
}

/**
 * Assembles a {@link CairnDocument}: `text` is the blocks' texts joined by blank lines and
 * `contentHash` the sha256 hex of `title + "\n" + text`.
 */
export function createDocument(fields: DocumentFields): CairnDocument {
  const text = fields.blocks.map((block) => block.text).join('\n\n');
  return {
    id: fields.id,
    source: fields.source,
    title: fields.title,
    format: fields.format,
    text,
    blocks: fields.blocks,
    contentHash: createHash('sha256').update(`${fields.title}\n${text}`).digest('hex'),
    metadata: fields.metadata ?? {},
  };
}
