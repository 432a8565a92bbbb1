/**
 * Engine overhead on the LLM path: time from a question to the first answer token handed to the
 * caller, minus the mock LLM's own time to first token (measured by the mock per request).
 * The mock answers after 300 ms and streams 50 tokens/s over real HTTP on 127.0.0.1.
 *
 *   npx tsx bench/engine-overhead.ts [--requests 100]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ask } from '../src/engine/index.ts';
import { loadGoldenSet } from '../src/evaluate/index.ts';
import { createLlmAnswerer } from '../src/generate/llm-answerer.ts';
import { createOpenAICompatibleChat } from '../src/generate/providers/index.ts';
import { startMockLlmServer } from '../src/testing/mock-llm-server.ts';
import { openFieldGuide, ROOT } from './lib/field-guide.ts';
import { reportFigure } from './lib/figures.ts';
import { fixed, markdownTable, percentile } from './lib/markdown-table.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100' } } });
const { store, embedder, retrieval } = await openFieldGuide();
const questions = loadGoldenSet(path.join(ROOT, 'corpus', 'golden.jsonl')).map((item) => item.question);

const server = await startMockLlmServer();
server.setDefault({
  text: 'Reciprocal rank fusion scores each document by one over k plus its rank [1]. The usual k is 60 [1].',
  firstTokenLatencyMs: 300,
  tokensPerSecond: 50,
});
const answerer = createLlmAnswerer({
  model: createOpenAICompatibleChat({ baseURL: server.url, modelId: 'mock' }),
});

const overheads: number[] = [];
const engineToFirstToken: number[] = [];
const mockTtft: number[] = [];
const stages = { embed: [] as number[], retrieve: [] as number[] };
const total = Number(values.requests);
for (let i = -5; i < total; i++) {
  const question = questions[(i + questions.length) % questions.length] as string;
  const result = await ask({
    store,
    embedder,
    answerer,
    question,
    retrieval,
    abstainWithoutCitations: false,
  });
  const request = server.requests.at(-1);
  if (i < 0 || !request?.firstTokenAt || result.timings.firstTokenMs === null) continue; // warm-up
  const mock = request.firstTokenAt - request.receivedAt;
  mockTtft.push(mock);
  engineToFirstToken.push(result.timings.firstTokenMs);
  overheads.push(result.timings.firstTokenMs - mock);
  stages.embed.push(result.timings.embedMs);
  stages.retrieve.push(result.timings.retrieveMs);
}
await server.close();
await store.close();

console.log(
  `\nLLM path, ${overheads.length} sequential questions, mock TTFT 300 ms, local embedder (${embedder.modelId}), 1 thread\n`,
);
console.log(
  markdownTable(
    ['measure', 'p50 ms', 'p95 ms'],
    [
      [
        'request -> first token handed to the caller',
        fixed(percentile(engineToFirstToken, 50), 1),
        fixed(percentile(engineToFirstToken, 95), 1),
      ],
      [
        "mock's own time to first token",
        fixed(percentile(mockTtft, 50), 1),
        fixed(percentile(mockTtft, 95), 1),
      ],
      [
        'engine overhead (difference, per request)',
        fixed(percentile(overheads, 50), 1),
        fixed(percentile(overheads, 95), 1),
      ],
      [
        '  of which: query embedding',
        fixed(percentile(stages.embed, 50), 1),
        fixed(percentile(stages.embed, 95), 1),
      ],
      [
        '  of which: retrieval',
        fixed(percentile(stages.retrieve, 50), 1),
        fixed(percentile(stages.retrieve, 95), 1),
      ],
    ],
  ),
);
reportFigure('engine-overhead.overhead-p50-ms', percentile(overheads, 50));
reportFigure('engine-overhead.overhead-p95-ms', percentile(overheads, 95));
console.log(`\naim: overhead under 50 ms at p95 -> ${percentile(overheads, 95) < 50 ? 'met' : 'not met'}`);
