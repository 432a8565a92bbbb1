import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../spec/index.ts';
import type { GoldenItem } from '../golden-set.ts';

/** What {@link exportBeir} wrote. */
export interface BeirExportSummary {
  documents: number;
  queries: number;
  /** Items left out because they have no relevant document (e.g. out-of-scope ones). */
  skippedItems: string[];
  qrels: Record<'dev' | 'test', number>;
}

/**
 * Writes a BEIR folder (corpus.jsonl, queries.jsonl, qrels/dev.tsv and qrels/test.tsv) from the
 * documents and a golden set, so any BEIR tool, and `cairn eval retrieval`, can score retrieval
 * on it. Every relevant id must name an exported document. The folder is built beside the target
 * and renamed into place, so a failure leaves no half-written dataset.
 */
export function exportBeir(
  items: readonly GoldenItem[],
  documents: readonly { id: string; title: string; text: string }[],
  directory: string,
): BeirExportSummary {
  const documentIds = new Set(documents.map((document) => document.id));
  const judged = items.filter((item) => item.relevant_doc_ids.length > 0);
  for (const item of judged) {
    const missing = item.relevant_doc_ids.filter((id) => !documentIds.has(id));
    if (missing.length > 0)
      throw new CairnError(
        'dataset_invalid',
        `golden item ${item.id} names documents that are not in the corpus: ${missing.join(', ')}`,
      );
  }
  if (fs.existsSync(directory) && fs.readdirSync(directory).length > 0)
    throw new CairnError(
      'invalid_option',
      `${directory} exists and is not empty; choose a new folder for the BEIR export`,
    );
  const staging = `${directory.replace(/[\\/]+$/, '')}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'qrels'), { recursive: true });
  const jsonl = (rows: unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  fs.writeFileSync(
    path.join(staging, 'corpus.jsonl'),
    jsonl(documents.map((document) => ({ _id: document.id, title: document.title, text: document.text }))),
  );
  fs.writeFileSync(
    path.join(staging, 'queries.jsonl'),
    jsonl(judged.map((item) => ({ _id: item.id, text: item.question }))),
  );
  const qrels = { dev: 0, test: 0 };
  for (const split of ['dev', 'test'] as const) {
    const lines = judged
      .filter((item) => item.split === split)
      .flatMap((item) => item.relevant_doc_ids.map((docId) => `${item.id}\t${docId}\t1`));
    qrels[split] = lines.length;
    fs.writeFileSync(
      path.join(staging, 'qrels', `${split}.tsv`),
      `query-id\tcorpus-id\tscore\n${lines.map((line) => `${line}\n`).join('')}`,
    );
  }
  fs.rmSync(directory, { recursive: true, force: true });
  fs.renameSync(staging, directory);
  return {
    documents: documents.length,
    queries: judged.length,
    skippedItems: items.filter((item) => item.relevant_doc_ids.length === 0).map((item) => item.id),
    qrels,
  };
}
