import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { createOpenAICompatibleChat } from '../generate/providers/index.ts';
import { ApiCallError } from '../spec/index.ts';
import { type MockLlmServer, startMockLlmServer } from '../testing/mock-llm-server.ts';
import { createLlmJudge } from './llm-judge.ts';
import { createOfflineJudge } from './offline-judge.ts';

let server: MockLlmServer;
before(async () => {
  server = await startMockLlmServer();
});
after(() => server.close());

const context = 'Prompt and answer logs are kept for 30 days. Audit logs are kept for two years.';

test('offline judge: a paraphrase is supported, a changed number is not', async () => {
  const judge = createOfflineJudge({ embedder: createHashingEmbedder({ dimensions: 512 }) });
  const same = await judge.judgeSupport({
    statement: 'Prompt and answer logs are kept for 30 days [1].',
    context,
  });
  const changed = await judge.judgeSupport({
    statement: 'Prompt and answer logs are kept for 90 days [1].',
    context,
  });
  const unrelated = await judge.judgeSupport({
    statement: 'The canary receives five percent of traffic.',
    context,
  });
  assert.equal(same.supported, true);
  assert.equal(changed.supported, false);
  assert.equal(unrelated.supported, false);
  assert.ok(same.score > changed.score);
  assert.equal(judge.usage().costUsd, 0);
});

test('LLM judge follows the rubric reply, records tokens and cost', async () => {
  const model = createOpenAICompatibleChat({ baseURL: server.url, modelId: 'judge-model' });
  const judge = createLlmJudge({
    model,
    prices: { 'judge-model': { inputPerMillion: 1, outputPerMillion: 4 } },
  });
  server.enqueue(
    {
      text: '```json\n{"verdict": "supported", "reason": "stated in sentence 1"}\n```',
      usage: { inputTokens: 100, outputTokens: 10 },
    },
    { text: '{"score": 4, "reason": "mostly answers"}', usage: { inputTokens: 50, outputTokens: 10 } },
  );
  const support = await judge.judgeSupport({ statement: 'Logs are kept for 30 days [2].', context });
  assert.deepEqual(support, { supported: true, score: 1, reason: 'stated in sentence 1' });
  const relevance = await judge.judgeRelevance('How long are logs kept?', 'Thirty days.');
  assert.equal(relevance.score, 0.75);
  const prompt = server.requests.at(-2)?.body as { messages: { content: string }[]; temperature: number };
  assert.match(prompt.messages[1]?.content ?? '', /Statement: Logs are kept for 30 days\./);
  assert.equal(prompt.temperature, 0);
  assert.deepEqual(judge.usage(), { inputTokens: 150, outputTokens: 20, costUsd: (150 * 1 + 20 * 4) / 1e6 });
  assert.equal(judge.promptVersion, 'rubric.v1');
});

test('pairwise judging runs both orders and calls a tie when they disagree (position bias)', async () => {
  const judge = createLlmJudge({
    model: createOpenAICompatibleChat({ baseURL: server.url, modelId: 'judge-model' }),
  });
  server.enqueue(
    { text: '{"winner": "A", "reason": "cites"}' },
    { text: '{"winner": "B", "reason": "cites"}' },
  );
  assert.equal((await judge.judgePairwise?.('q', 'good', 'bad', context))?.winner, 'a');
  // A judge that always prefers the first answer it sees is exposed, not believed.
  server.enqueue({ text: '{"winner": "A"}' }, { text: '{"winner": "A"}' });
  assert.equal((await judge.judgePairwise?.('q', 'good', 'bad', context))?.winner, 'tie');
});

test('an unusable judge reply is an error, not a silent verdict', async () => {
  const judge = createLlmJudge({
    model: createOpenAICompatibleChat({ baseURL: server.url, modelId: 'judge-model' }),
  });
  server.enqueue({ text: 'I think it is probably fine.' }, { text: '{"verdict": "maybe"}' });
  await assert.rejects(
    judge.judgeSupport({ statement: 'x', context }),
    (error: unknown) => error instanceof ApiCallError && /no JSON object/.test(error.message),
  );
  await assert.rejects(judge.judgeSupport({ statement: 'x', context }), /verdict must be/);
});

test('LLM correctness follows the 0–2 rubric and parses fenced, prose and worded grades', async () => {
  const judge = createLlmJudge({
    model: createOpenAICompatibleChat({ baseURL: server.url, modelId: 'judge-model' }),
  });
  server.enqueue(
    { text: '```json\n{"reason": "states 5000 ms", "grade": 2}\n```' },
    { text: 'The answer misses the browser value. grade: 1' },
    { text: '{"reason": "says 90 days", "grade": "wrong"}' },
    { text: '{"reason": "?", "grade": 7}' },
  );
  const request = {
    question: 'What is the default test timeout?',
    answer: 'It is 5000 ms [1].',
    reference: 'The default is 5000 ms in Node.js and 15000 ms in the browser.',
  };
  assert.deepEqual(await judge.judgeCorrectness?.(request), { score: 1, reason: 'states 5000 ms' });
  assert.equal((await judge.judgeCorrectness?.(request))?.score, 0.5);
  assert.equal((await judge.judgeCorrectness?.(request))?.score, 0);
  await assert.rejects(Promise.resolve(judge.judgeCorrectness?.(request)), /grade must be 0, 1 or 2/);
  const prompt = server.requests.at(-1)?.body as { messages: { content: string }[] };
  assert.match(prompt.messages[1]?.content ?? '', /Reference answer: The default is 5000 ms/);
  assert.match(prompt.messages[1]?.content ?? '', /Answer: It is 5000 ms\./);
});

test('the offline judge grades no correctness: that metric stays unmeasured, not 0', () => {
  const judge = createOfflineJudge({ embedder: createHashingEmbedder({ dimensions: 512 }) });
  assert.equal(judge.judgeCorrectness, undefined);
});

test('judge-check runs the LLM rubric correctness on graded answers through the mock server', async () => {
  const { checkJudge } = await import('./judge-check.ts');
  const judge = createLlmJudge({
    model: createOpenAICompatibleChat({ baseURL: server.url, modelId: 'judge-model' }),
  });
  // The mock plays a judge that reads the prompt: grade 2 when the answer says 5000, else 0.
  server.setDefault((request) => {
    const prompt = (request.body as { messages: { content: string }[] }).messages
      .map((m) => m.content)
      .join('\n');
    if (prompt.includes('Reference answer:'))
      return { text: JSON.stringify({ reason: 'compared', grade: /Answer: .*5000/.test(prompt) ? 2 : 0 }) };
    if (prompt.includes('Statement:')) return { text: '{"verdict": "supported", "reason": "quoted"}' };
    return { text: '{"score": 5, "reason": "on topic"}' };
  });
  const label = (id: string, answer: string, correctness: 'correct' | 'wrong') => ({
    id,
    kind: 'answer' as const,
    corpus: 'docs',
    question: 'What is the default test timeout?',
    reference: 'It is 5000 ms.',
    answer,
    abstained: false,
    citations: [{ n: 1, docId: 'docs/t.md', chunkId: 'docs/t.md#0' }],
    correctness,
    supported: true,
    relevant: true,
    note: '',
    hard: false,
    split: 'test' as const,
  });
  const report = await checkJudge(
    judge,
    [label('a', 'It is 5000 ms [1].', 'correct'), label('b', 'It is 9000 ms [1].', 'wrong')],
    { passages: async () => new Map([['docs/t.md#0', 'The default test timeout is 5000 ms.']]) },
  );
  server.setDefault({ text: 'ok' });
  const correctness = report.perMetric.find((row) => row.metric === 'answer_correctness');
  assert.equal(correctness?.stats.n, 2);
  assert.equal(correctness?.stats.kappa, 1);
  assert.equal(report.kind, 'llm');
});
