import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../spec/index.ts';
import type { StatementLabel } from './judge-check.ts';

/**
 * Support labels built from SciFact's expert rationales, read from a BEIR SciFact folder at run
 * time (never copied into the repository): each (claim, rationale sentence) is "supported" when
 * the rationale is labelled SUPPORT and not when it is CONTRADICT, and one sentence of the same
 * abstract that is no rationale is "not supported". Claims in `qrels/test.tsv` form the test
 * split, the rest dev. CONTRADICT pairs are marked hard: they share the claim's words.
 */
export function loadSciFactSupportLabels(
  dir: string,
  options: { limitPerSplit?: number } = {},
): StatementLabel[] {
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(dir, file), 'utf8');
    } catch (cause) {
      throw new CairnError(
        'dataset_invalid',
        `${path.join(dir, file)}: cannot read (${(cause as Error).message})`,
        {
          cause,
        },
      );
    }
  };
  const sentences = new Map<string, string[]>();
  for (const line of read('extras/abstract_sentences.jsonl').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { doc_id: string; sentences: string[] };
    sentences.set(row.doc_id, row.sentences);
  }
  const testClaims = new Set(
    read('qrels/test.tsv')
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[0]?.trim())
      .filter((id): id is string => Boolean(id)),
  );
  const labels: StatementLabel[] = [];
  const counts = { dev: 0, test: 0 };
  for (const line of read('queries.jsonl').split('\n')) {
    if (line.trim() === '') continue;
    const query = JSON.parse(line) as {
      _id: string;
      text: string;
      metadata: Record<string, { sentences: number[]; label: 'SUPPORT' | 'CONTRADICT' }[]>;
    };
    const split = testClaims.has(query._id) ? 'test' : 'dev';
    if (options.limitPerSplit !== undefined && counts[split] >= options.limitPerSplit) continue;
    for (const [docId, evidence] of Object.entries(query.metadata ?? {})) {
      const abstract = sentences.get(docId);
      if (!abstract) continue;
      const rationale = new Set(evidence.flatMap((set) => set.sentences));
      for (const set of evidence) {
        for (const index of set.sentences) {
          const context = abstract[index];
          if (context === undefined) continue;
          labels.push({
            id: `scifact-${query._id}-${docId}-${index}`,
            kind: 'support',
            question: query.text,
            statement: query.text,
            context,
            human: set.label === 'SUPPORT',
            note: `SciFact rationale (${set.label})`,
            hard: set.label === 'CONTRADICT',
            split,
          });
        }
      }
      const other = abstract.findIndex((_, index) => !rationale.has(index));
      const context = abstract[other];
      if (other !== -1 && context !== undefined)
        labels.push({
          id: `scifact-${query._id}-${docId}-${other}`,
          kind: 'support',
          question: query.text,
          statement: query.text,
          context,
          human: false,
          note: 'SciFact: a sentence of the cited abstract that is no rationale',
          hard: false,
          split,
        });
    }
    if (Object.keys(query.metadata ?? {}).length > 0) counts[split] += 1;
  }
  return labels;
}
