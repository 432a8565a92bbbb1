/** Source formats cairn can load. */
export type DocumentFormat = 'markdown' | 'text' | 'html' | 'pdf' | 'docx' | 'beir';

/**
 * A structural piece of a document: headings carry their level, every block carries the
 * heading path above it and (for PDFs) its 1-based page number.
 */
export interface Block {
  kind: 'heading' | 'paragraph' | 'code' | 'list' | 'table';
  text: string;
  /** Heading level 1-6, only for `kind: 'heading'`. */
  level?: number;
  /** Titles of the enclosing headings, outermost first. */
  headingsPath: string[];
  /** 1-based page number, for paged formats. */
  page?: number;
}

/** A loaded document, before chunking. */
export interface CairnDocument {
  /**
   * Stable id: `<collection>/<path relative to the collection root, with extension>` (e.g.
   * `field-guide/policies/retention.md`); BEIR records keep their `_id`.
   */
  id: string;
  /** Where it came from: a file path relative to the collection root, or `file.jsonl#id`. */
  source: string;
  title: string;
  format: DocumentFormat;
  /** Plain text of the whole document (blocks joined by blank lines). */
  text: string;
  blocks: Block[];
  /** sha256 of `text` plus title; unchanged hash means re-ingest can skip the document. */
  contentHash: string;
  metadata: Record<string, string | number | boolean>;
}
