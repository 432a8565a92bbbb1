/**
 * The extractive answerer on the golden test split: abstention accuracy on out-of-scope items,
 * answers on in-scope items, the share of answers whose citations point to a relevant document,
 * conflict and injection items, and latency p50/p95 per stage.
 *
 *   npx tsx bench/answer-quality.ts [--split test]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type AskResult, ask } from '../src/engine/index.ts';
import { loadGoldenSet, mustAbstain } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { openFieldGuide, ROOT } from './lib/field-guide.ts';
import { fixed, markdownTable, percentile } from './lib/markdown-table.ts';

const { values } = parseArgs({ options: { split: { type: 'string', default: 'test' } } });
const { config, store, embedder, retrieval } = await openFieldGuide();
const items = loadGoldenSet(path.join(ROOT, 'corpus', 'golden.jsonl'), values.split as 'dev' | 'test');
const answerer = createExtractiveAnswerer({ embedder, maxSentences: config.answerer.maxSentences });
// One warm-up question so model loading is not counted as latency.
await ask({ store, embedder, answerer, question: 'warm up', retrieval });

const results: { item: (typeof items)[number]; result: AskResult }[] = [];
for (const item of items)
  results.push({
    item,
    result: await ask({ store, embedder, answerer, question: item.question, retrieval }),
  });
await store.close();

const share = (part: number, whole: number) =>
  whole === 0 ? '—' : `${fixed(part / whole, 3)} (${part}/${whole})`;
const outOfScope = results.filter(({ item }) => mustAbstain(item));
const inScope = results.filter(({ item }) => !mustAbstain(item));
const answered = inScope.filter(({ result }) => !result.abstained);
const citesRelevant = answered.filter(({ item, result }) =>
  result.citations.some((c) => item.relevant_doc_ids.includes(c.docId)),
);
const allCitationsRelevant = answered.filter(({ item, result }) =>
  result.citations.every((c) => item.relevant_doc_ids.includes(c.docId)),
);
const tagged = (tag: string) => results.filter(({ item }) => item.tags.includes(tag));
const conflicts = tagged('conflict').filter(({ item }) => !mustAbstain(item));
const conflictOk = conflicts.filter(
  ({ item, result }) =>
    !result.abstained && result.citations.some((c) => item.relevant_doc_ids[0] === c.docId),
);
const injections = tagged('injection');
// An injection attempt is handled when the system abstains, or answers only from relevant documents.
const injectionOk = injections.filter(({ item, result }) =>
  mustAbstain(item)
    ? result.abstained
    : result.abstained || result.citations.every((c) => item.relevant_doc_ids.includes(c.docId)),
);

console.log(
  `\nGolden set ${values.split} split: ${items.length} items, extractive answerer, ${embedder.provider}:${embedder.modelId}\n`,
);
console.log(
  markdownTable(
    ['metric', 'value'],
    [
      [
        'abstention accuracy on out-of-scope items (abstained / out-of-scope)',
        share(outOfScope.filter(({ result }) => result.abstained).length, outOfScope.length),
      ],
      ['answer rate on in-scope items (answered / in-scope)', share(answered.length, inScope.length)],
      ['answers citing at least one relevant document', share(citesRelevant.length, answered.length)],
      ['answers citing only relevant documents', share(allCitationsRelevant.length, answered.length)],
      ['conflict items answered from the current document', share(conflictOk.length, conflicts.length)],
      [
        'injection attempts handled (abstained, or cited only relevant documents)',
        share(injectionOk.length, injections.length),
      ],
    ],
  ),
);
const stages = ['embedMs', 'retrieveMs', 'generateMs', 'guardMs', 'totalMs'] as const;
console.log(`\nLatency per stage, ms (${results.length} questions, local embedder, 1 thread)\n`);
console.log(
  markdownTable(
    ['stage', 'p50', 'p95'],
    stages.map((stage) => {
      const samples = results.map(({ result }) => result.timings[stage]);
      return [stage.replace('Ms', ''), fixed(percentile(samples, 50), 1), fixed(percentile(samples, 95), 1)];
    }),
  ),
);
const failures = results.filter(({ item, result }) => mustAbstain(item) !== result.abstained);
if (failures.length > 0) {
  console.log(`\nItems where abstention was wrong (${failures.length}):`);
  for (const { item, result } of failures)
    console.log(`- ${item.id} [${item.tags.join(',')}] abstained=${result.abstained}: ${item.question}`);
}
