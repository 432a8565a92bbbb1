import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '../testing/mock-llm-server.ts';

// End-to-end tests of ask, trace and the eval subcommands through the real binary, on a real
// SQLite index. The hashing embedder keeps them fast; the LLM paths talk to the mock server.
const bin = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));
const run = promisify(execFile);

const DOCS: Record<string, string> = {
  'retention-2025.md':
    '---\ntitle: Retention policy 2025\nsupersedes: retention-2023\n---\n# Retention policy 2025\n\nPrompt logs are kept for 30 days. Audit logs are kept for two years. Deletion requests are completed within 14 days.\n',
  'retention-2023.md':
    '---\ntitle: Retention policy 2023\nstatus: superseded\nsuperseded_by: retention-2025\n---\n# Retention policy 2023\n\nPrompt logs are kept for 90 days. Audit logs are kept for one year.\n',
  'rrf.md':
    '# Reciprocal rank fusion\n\nReciprocal rank fusion adds 1/(k + rank) over every ranked list. The constant k is usually 60. It needs no score normalisation.\n',
  'bm25.md':
    '# BM25\n\nBM25 ranks documents by term frequency with saturation, inverse document frequency and length normalisation. The parameter k1 controls saturation and b controls length normalisation.\n',
};

const GOLDEN = [
  {
    id: 'g1',
    question: 'How long are prompt logs kept?',
    reference_answer: 'Prompt logs are kept for 30 days.',
    relevant_doc_ids: ['docs/retention-2025.md', 'docs/retention-2023.md'],
    tags: ['conflict'],
    split: 'test',
  },
  {
    id: 'g2',
    question: 'What constant k does reciprocal rank fusion use?',
    reference_answer: 'The constant k is usually 60.',
    relevant_doc_ids: ['docs/rrf.md'],
    tags: [],
    split: 'test',
  },
  {
    id: 'g3',
    question: 'Which BM25 parameter controls length normalisation?',
    reference_answer: 'The parameter b controls length normalisation.',
    relevant_doc_ids: ['docs/bm25.md'],
    tags: [],
    split: 'test',
  },
  {
    id: 'g4',
    question: 'Who won the 2018 World Cup?',
    reference_answer: '',
    relevant_doc_ids: [],
    tags: ['out-of-scope'],
    split: 'dev',
  },
];

let dir = '';
let mock: MockLlmServer;
const env = () => ({ ...process.env, CAIRN_INDEX: path.join(dir, 'index.db'), CAIRN_EMBEDDER: 'hashing' });

function cairn(args: string[], extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...env(), ...extraEnv },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the binary without blocking this process, so the in-process mock server can answer. */
async function cairnAsync(args: string[], extraEnv: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { ...env(), ...extraEnv },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-answer-cli-'));
  fs.mkdirSync(path.join(dir, 'docs'));
  for (const [name, text] of Object.entries(DOCS)) fs.writeFileSync(path.join(dir, 'docs', name), text);
  fs.writeFileSync(path.join(dir, 'golden.jsonl'), GOLDEN.map((item) => JSON.stringify(item)).join('\n'));
  const ingest = cairn(['ingest', 'docs']);
  assert.equal(ingest.code, 0, ingest.stderr);
  mock = await startMockLlmServer();
});

after(async () => {
  await mock.close();
});

test('ask --json returns a cited answer with timings, usage and a trace that cairn trace prints', () => {
  const asked = cairn([
    'ask',
    'What constant k does reciprocal rank fusion use?',
    '--json',
    '--abstain-threshold=-1',
  ]);
  assert.equal(asked.code, 0, asked.stderr);
  const answer = JSON.parse(asked.stdout);
  assert.equal(answer.abstained, false);
  assert.match(answer.answer, /\[\d\]/, 'sentences carry citations');
  assert.ok(answer.citations.some((citation: { docId: string }) => citation.docId === 'docs/rrf.md'));
  for (const stage of ['embedMs', 'retrieveMs', 'generateMs', 'guardMs', 'totalMs'])
    assert.equal(typeof answer.timings[stage], 'number');
  for (const field of ['inputTokens', 'outputTokens', 'costUsd'])
    assert.ok(field in answer.usage, `usage.${field}`);
  const trace = cairn(['trace', answer.traceId]);
  assert.equal(trace.code, 0, trace.stderr);
  for (const span of ['cairn.ask', 'cairn.retrieve', 'cairn.generate'])
    assert.ok(trace.stdout.includes(span), `trace shows ${span}`);
  assert.equal(cairn(['trace', 'no-such-trace']).code, 1);
});

test('ask through an OpenAI-compatible endpoint reports provider tokens and priced cost', async () => {
  mock.setDefault({
    text: 'The constant k is usually 60 [1].',
    usage: { inputTokens: 1000, outputTokens: 10 },
  });
  const config = path.join(dir, 'llm.json');
  fs.writeFileSync(
    config,
    JSON.stringify({ prices: { 'mock-model': { inputPerMillion: 1, outputPerMillion: 2 } } }),
  );
  const asked = await cairnAsync(['ask', 'What constant does RRF use?', '--json', '--config', config], {
    CAIRN_LLM: 'openai-compatible:mock-model',
    CAIRN_LLM_BASE_URL: mock.url,
    CAIRN_LLM_API_KEY: 'sk-test',
  });
  assert.equal(asked.code, 0, asked.stderr);
  const answer = JSON.parse(asked.stdout);
  assert.equal(answer.abstained, false);
  assert.equal(answer.usage.inputTokens, 1000);
  assert.equal(answer.usage.outputTokens, 10);
  assert.ok(Math.abs(answer.usage.costUsd - (1000 * 1 + 10 * 2) / 1e6) < 1e-12);
  const prompt = JSON.stringify(mock.requests.at(-1)?.body);
  assert.match(prompt, /\[1\]/, 'the prompt numbers the passages');
});

test('eval answers stores a run; --fail-on exits 6 on a regression and 0 otherwise', () => {
  const first = cairn(['eval', 'answers', '--golden', 'golden.jsonl', '--json', '--label', 'base']);
  assert.equal(first.code, 0, first.stderr);
  const runA = JSON.parse(first.stdout);
  assert.equal(runA.items.length, 4);
  assert.equal(runA.golden.items, 4);
  assert.ok(runA.aggregates.context_precision.n > 0);
  assert.equal(runA.aggregates.abstention_accuracy.n, 1, 'only the out-of-scope item measures abstention');
  fs.writeFileSync(path.join(dir, 'run-a.json'), first.stdout);

  const runs = cairn(['eval', 'runs']);
  assert.match(runs.stdout, new RegExp(runA.runId.slice(0, 8)));

  const same = cairn([
    'eval',
    'answers',
    '--golden',
    'golden.jsonl',
    '--baseline',
    'run-a.json',
    '--fail-on',
    'context_precision<-0.01',
  ]);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /context_precision/);

  // A baseline that was instant makes every candidate slower: the latency gate must trip.
  const instant = {
    ...runA,
    items: runA.items.map((item: { metrics: object }) => ({
      ...item,
      metrics: { ...item.metrics, latency_ms: 0 },
    })),
  };
  fs.writeFileSync(path.join(dir, 'run-instant.json'), JSON.stringify(instant));
  const gated = cairn([
    'eval',
    'answers',
    '--golden',
    'golden.jsonl',
    '--baseline',
    'run-instant.json',
    '--fail-on',
    'latency_ms>0',
  ]);
  assert.equal(gated.code, 6, gated.stdout + gated.stderr);
  assert.match(gated.stdout + gated.stderr, /latency_ms changed by/);

  const bad = cairn([
    'eval',
    'answers',
    '--golden',
    'golden.jsonl',
    '--baseline',
    'run-a.json',
    '--fail-on',
    'niceness<0',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown metric "niceness"/);
});

test('eval report writes one self-contained HTML file for two runs', () => {
  const report = cairn(['eval', 'report', 'run-a.json', 'run-instant.json', '--html', 'report.html']);
  assert.equal(report.code, 0, report.stderr);
  const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /Cost vs quality/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  const text = cairn(['eval', 'report', 'run-a.json', 'run-instant.json']);
  assert.match(text.stdout, /\(baseline\) vs/);
});

test('eval judge-check scores the offline judge against hand labels', () => {
  const labels = [
    {
      id: 'l1',
      kind: 'support',
      question: 'q',
      statement: 'Prompt logs are kept for 30 days.',
      context: 'Prompt logs are kept for 30 days.',
      human: true,
      note: 'verbatim',
      split: 'test',
    },
    {
      id: 'l2',
      kind: 'support',
      question: 'q',
      statement: 'Reranking uses cross-encoders on GPUs.',
      context: 'Prompt logs are kept for 30 days.',
      human: false,
      note: 'unrelated',
      split: 'test',
    },
    {
      id: 'l3',
      kind: 'relevance',
      question: 'How long are logs kept?',
      statement: 'Logs are kept for 30 days.',
      context: '',
      human: true,
      note: 'answers it',
      split: 'test',
    },
    {
      id: 'l4',
      kind: 'relevance',
      question: 'How long are logs kept?',
      statement: 'Bananas are yellow.',
      context: '',
      human: false,
      note: 'off topic',
      split: 'test',
    },
  ];
  fs.writeFileSync(path.join(dir, 'labels.jsonl'), labels.map((label) => JSON.stringify(label)).join('\n'));
  const checked = cairn(['eval', 'judge-check', '--labels', 'labels.jsonl', '--json']);
  assert.equal(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout);
  assert.equal(report.kind, 'offline');
  assert.deepEqual(report.perKind.map((entry: { kind: string }) => entry.kind).sort(), [
    'relevance',
    'support',
  ]);
  fs.writeFileSync(path.join(dir, 'bad-labels.jsonl'), '{"id":"x"}\n');
  const bad = cairn(['eval', 'judge-check', '--labels', 'bad-labels.jsonl']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad-labels\.jsonl:1/);
});

test('add-from-trace turns an answer into a golden item', () => {
  const asked = JSON.parse(
    cairn(['ask', 'Which BM25 parameter controls length normalisation?', '--json', '--abstain-threshold=-1'])
      .stdout,
  );
  const added = cairn(['eval', 'add-from-trace', asked.traceId, '--golden', 'grown.jsonl', '--tags', 'bm25']);
  assert.equal(added.code, 0, added.stderr);
  const item = JSON.parse(fs.readFileSync(path.join(dir, 'grown.jsonl'), 'utf8').trim());
  assert.equal(item.question, 'Which BM25 parameter controls length normalisation?');
  assert.ok(item.relevant_doc_ids.includes('docs/bm25.md'));
  assert.deepEqual(item.tags, ['bm25', 'from-trace']);
  const again = cairn(['eval', 'add-from-trace', asked.traceId, '--golden', 'grown.jsonl']);
  assert.equal(again.code, 2, 'a second item with the same id is refused');
  assert.match(again.stderr, /already has an item/);
});

test('golden sets convert to RAGAS and promptfoo and back, and export as BEIR for eval retrieval', () => {
  for (const format of ['ragas-jsonl', 'ragas-csv', 'promptfoo-jsonl', 'promptfoo-csv']) {
    const file = `golden.${format}`;
    assert.equal(
      cairn(['eval', 'export', '--golden', 'golden.jsonl', '--format', format, '--out', file]).code,
      0,
    );
    const back = cairn(['eval', 'import', file, '--format', format]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(
      back.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      GOLDEN,
      format,
    );
  }
  const beir = cairn([
    'eval',
    'export',
    '--golden',
    'golden.jsonl',
    '--format',
    'beir',
    '--docs',
    'docs',
    '--out',
    'beir',
  ]);
  assert.equal(beir.code, 0, beir.stderr);
  assert.match(beir.stdout, /4 documents, 3 queries/);
  const scored = cairn([
    'eval',
    'retrieval',
    '--dataset',
    'beir',
    '--mode',
    'bm25',
    '--json',
    '--cache-dir',
    path.join(dir, 'eval-cache'),
  ]);
  assert.equal(scored.code, 0, scored.stderr);
  assert.equal(JSON.parse(scored.stdout).queries, 3);
  const unknown = cairn(['eval', 'export', '--golden', 'golden.jsonl', '--format', 'yaml']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown format "yaml"/);
});
