import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import type { Passage } from '../spec/index.ts';
import { createContextualExtractiveAnswerer as createExtractiveAnswerer } from './contextual-extractive-answerer.ts';

// Which sentence the extractive answerer leads with, and what it lets into an answer. Fixture
// texts are written for these tests.
const embedder = createHashingEmbedder({ dimensions: 256 });

function passage(
  n: number,
  text: string,
  options: { docId?: string; title?: string; headingsPath?: string[] } = {},
): Passage {
  const docId = options.docId ?? `doc-${n}`;
  return {
    n,
    chunkId: `${docId}#${n}`,
    docId,
    source: `${docId}.md`,
    title: options.title ?? docId,
    text,
    score: 1 / n,
    metadata: options.headingsPath ? { headingsPath: options.headingsPath } : {},
  };
}

function lead(text: string): string {
  return text.split(/(?<=\]\.)\s/)[0] ?? '';
}

test('a short sentence is scored with its heading path, so the default under the asked option wins', async () => {
  const option = (n: number, name: string, text: string) =>
    passage(n, text, {
      docId: 'middleware/compress.md',
      title: 'Compress middleware',
      headingsPath: ['Compress Middleware', 'Options', name],
    });
  const passages = [
    option(1, 'level', 'How hard the compressor works, from 1 to 9. The default is `6`.'),
    option(
      2,
      'threshold',
      'Responses smaller than this many bytes are sent unchanged. The default is `1024`.',
    ),
    option(3, 'encoding', 'The default is `gzip`.'),
  ];
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.3 });
  const draft = await answerer.answer({
    question: 'What is the default value of the `threshold` option in the compress middleware?',
    passages,
  });
  assert.equal(draft.abstained, false);
  assert.equal(lead(draft.text), 'The default is `1024` [2].');
  assert.doesNotMatch(draft.text, /`6`|`gzip`/);
});

test('a question asking for a value leads with the sentence that carries one', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.2 });
  const retries = await answerer.answer({
    question: 'How many retries does the uploader make?',
    passages: [
      passage(
        1,
        'The uploader retries failed chunk uploads on flaky networks. It makes 5 retries before it gives up.',
      ),
    ],
  });
  assert.match(lead(retries.text), /^It makes 5 retries before it gives up \[1\]\.$/);
  const version = await answerer.answer({
    question: 'Which version of the client added streaming responses?',
    passages: [
      passage(
        1,
        'Streaming responses let the client show tokens while the server is still writing them. The client added streaming responses in v2.3.0.',
      ),
    ],
  });
  assert.match(lead(version.text), /in v2\.3\.0 \[1\]\.$/);
});

test('a finding leads, not the statement of the study aim or the background', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
  const draft = await answerer.answer({
    question: 'Daily walking lowers blood pressure in older adults.',
    passages: [
      passage(
        1,
        'Whether daily walking lowers blood pressure in older adults is unknown. ' +
          'The purpose of this study was to determine whether daily walking lowers blood pressure in older adults. ' +
          'We enrolled 212 adults aged 65 to 80 years. ' +
          'Daily walking for 30 minutes lowered systolic blood pressure by 7 mmHg in adults over 65, compared with usual care. ' +
          'In conclusion, a daily walk is a cheap way to bring pressure down in later life.',
      ),
    ],
  });
  assert.doesNotMatch(lead(draft.text), /unknown|purpose of this study/);
  assert.match(lead(draft.text), /lowered systolic blood pressure|In conclusion/);
});

test('no sentence is spliced in from a document unrelated to the best evidence', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
  const draft = await answerer.answer({
    question: 'How long are audit logs kept?',
    passages: [
      passage(
        1,
        'Audit logs are kept for 400 days. Audit logs are written to a separate bucket that only auditors can read.',
        { docId: 'policies/audit.md', title: 'Audit log retention' },
      ),
      passage(
        2,
        'Audit logs of the payroll system are kept on paper by the finance team. Runners are rebuilt every night.',
        { docId: 'handbooks/payroll.md', title: 'Payroll handbook' },
      ),
    ],
  });
  assert.match(lead(draft.text), /400 days \[1\]/);
  assert.doesNotMatch(draft.text, /\[2\]/);
});

test('code is never re-capitalised, and a fenced block stays a block in a how-to answer', async () => {
  const answerer = createExtractiveAnswerer({ embedder, abstainThreshold: 0.1 });
  const draft = await answerer.answer({
    question: 'How do I create a server with a custom port?',
    passages: [
      passage(
        1,
        [
          'To create a server with a custom port, pass the port to `createServer`:',
          '',
          '```ts',
          "import { createServer } from './server.js'",
          'const server = createServer({ port: 8080 })',
          '```',
          '',
          'The server listens as soon as it is created.',
        ].join('\n'),
      ),
    ],
  });
  assert.match(
    draft.text,
    /\n```ts\nimport \{ createServer \} from '\.\/server\.js'\nconst server = createServer\(\{ port: 8080 \}\)\n```/,
  );
  assert.doesNotMatch(draft.text, /Import \{|Const server/);

  const lowerCase = await answerer.answer({
    question: 'What does vi.fn() return when it is called?',
    passages: [passage(1, 'vi.fn() returns a mock function that records every call made to it.')],
  });
  assert.match(lowerCase.text, /^vi\.fn\(\) returns a mock function/);
});
