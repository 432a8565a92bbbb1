import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../spec/index.ts';
import type { QueryJudgements } from './retrieval-metrics.ts';

/** The query side of a BEIR dataset for one split. */
export interface BeirQuerySet {
  /** Dataset folder name, e.g. `scifact`. */
  name: string;
  corpusPath: string;
  /** Queries of the split that have at least one judgement, in qrels order. */
  queries: { id: string; text: string }[];
  judgements: Map<string, QueryJudgements>;
}

/**
 * Reads `queries.jsonl` and `qrels/<split>.tsv` of a BEIR folder. Queries without judgements in
 * the split are left out, as BEIR's loader does. Missing files or malformed lines are reported
 * with the file and line.
 */
export function loadBeirQuerySet(datasetDir: string, split = 'test'): BeirQuerySet {
  const corpusPath = path.join(datasetDir, 'corpus.jsonl');
  const queriesPath = path.join(datasetDir, 'queries.jsonl');
  const qrelsPath = path.join(datasetDir, 'qrels', `${split}.tsv`);
  for (const required of [corpusPath, queriesPath, qrelsPath]) {
    if (!fs.existsSync(required)) {
      throw new CairnError(
        'dataset_invalid',
        `${required} not found: a BEIR dataset folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv`,
      );
    }
  }
  const judgements = readQrels(qrelsPath);
  const texts = readQueries(queriesPath);
  const queries: BeirQuerySet['queries'] = [];
  for (const queryId of judgements.keys()) {
    const text = texts.get(queryId);
    if (text === undefined) {
      throw new CairnError(
        'dataset_invalid',
        `${qrelsPath}: query ${queryId} has judgements but no text in ${queriesPath}`,
      );
    }
    const grades = judgements.get(queryId);
    if (grades && [...grades.values()].some((grade) => grade > 0)) queries.push({ id: queryId, text });
  }
  return { name: path.basename(path.resolve(datasetDir)), corpusPath, queries, judgements };
}

function readQrels(qrelsPath: string): Map<string, QueryJudgements> {
  const judgements = new Map<string, QueryJudgements>();
  const lines = fs.readFileSync(qrelsPath, 'utf8').split('\n');
  lines.forEach((rawLine, index) => {
    // BEIR writes qrels with CRLF line ends.
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '' || (index === 0 && line.startsWith('query-id'))) return;
    const [queryId, docId, grade] = line.split('\t');
    const value = Number(grade);
    if (!queryId || !docId || grade === undefined || !Number.isFinite(value)) {
      throw new CairnError(
        'dataset_invalid',
        `${qrelsPath}:${index + 1}: expected "query-id<TAB>corpus-id<TAB>score"`,
      );
    }
    let forQuery = judgements.get(queryId);
    if (!forQuery) {
      forQuery = new Map();
      judgements.set(queryId, forQuery);
    }
    forQuery.set(docId, value);
  });
  return judgements;
}

function readQueries(queriesPath: string): Map<string, string> {
  const texts = new Map<string, string>();
  fs.readFileSync(queriesPath, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let record: { _id?: unknown; text?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        throw new CairnError('dataset_invalid', `${queriesPath}:${index + 1}: not valid JSON`);
      }
      if (typeof record._id !== 'string' || typeof record.text !== 'string') {
        throw new CairnError('dataset_invalid', `${queriesPath}:${index + 1}: needs string "_id" and "text"`);
      }
      texts.set(record._id, record.text);
    });
  return texts;
}
