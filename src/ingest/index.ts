export {
  checkCollectionName,
  defaultCollectionName,
  documentIdFor,
  isCollectionName,
} from './collection-name.ts';
export { createDocument, type DocumentFields } from './create-document.ts';
export { decodeText } from './decode-text.ts';
export { extractHtmlBlocks } from './extract-html-blocks.ts';
export { type FileLoader, type FileLoaderInput, titleFromFileName } from './file-loader.ts';
export { formatForPath } from './format-for-path.ts';
export {
  type BeirCorpusOptions,
  type BeirLoadResult,
  DEFAULT_MAX_LINE_BYTES,
  loadBeirCorpus,
} from './load-beir-corpus.ts';
export {
  DEFAULT_MAX_FILE_BYTES,
  type LoadDocumentsOptions,
  type LoadResult,
  loadDocuments,
} from './load-documents.ts';
export { loadDocx } from './load-docx.ts';
export { loadHtml } from './load-html.ts';
export { loadMarkdown } from './load-markdown.ts';
export { loadPdf } from './load-pdf.ts';
export { loadText } from './load-text.ts';
export { type SkippedFile, type WalkResult, walkDirectory } from './walk-directory.ts';
