/**
 * Peak memory of `cairn ingest` on a folder holding a decompression bomb next to a good file:
 * a DOCX whose word/document.xml inflates to --inflate-mb MiB, and a PDF whose FlateDecode
 * content stream does. Each folder is ingested by the real CLI in a child process; its peak RSS
 * (VmHWM from /proc, polled) and the outcome are reported. The bombs are generated here.
 *
 *   npx tsx bench/zip-bomb-memory.ts [--inflate-mb 400] [--heap-mb N] [--bin bin/cairn.js] [-- extra ingest flags]
 *
 * `--bin` points at another checkout's bin/cairn.js to compare (e.g. the code before the limits);
 * `--heap-mb` caps the child's V8 heap so a crash is quick instead of a machine hog.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeDocxBomb, makePdfBomb } from '../src/ingest/__fixtures__/make-bombs.ts';
import { markdownTable } from './lib/markdown-table.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'inflate-mb': { type: 'string', default: '400' },
    'heap-mb': { type: 'string' },
    bin: { type: 'string', default: fileURLToPath(new URL('../bin/cairn.js', import.meta.url)) },
  },
});
const inflateMb = Number(values['inflate-mb']);
const GOOD = '# Key rotation\n\nRotate API keys every ninety days and revoke the old key after a day.\n';

interface Outcome {
  scenario: string;
  bombBytes: number;
  peakRssMb: number;
  seconds: number;
  exit: string;
  failedLine: string;
  indexed: string;
}

async function ingest(scenario: string, bombName: string, bomb: Uint8Array | undefined): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bomb-'));
  const folder = path.join(dir, 'folder');
  fs.mkdirSync(folder);
  if (bomb) fs.writeFileSync(path.join(folder, bombName), bomb);
  fs.writeFileSync(path.join(folder, 'good1.md'), GOOD);
  const nodeArgs = values['heap-mb'] ? [`--max-old-space-size=${values['heap-mb']}`] : [];
  const args = [...nodeArgs, values.bin, 'ingest', folder, '--embedder', 'hashing', ...positionals];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, CAIRN_INDEX: path.join(dir, 'index.db') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // The child has exited between polls.
    }
  }, 20);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });
  const crashed = /heap out of memory/.test(stderr) ? ' (heap out of memory)' : '';
  return {
    scenario,
    bombBytes: bomb?.length ?? 0,
    peakRssMb: peakKb / 1024,
    seconds,
    exit: `${code ?? signal}${crashed}`,
    failedLine: /failed {2}(.*)/.exec(stderr)?.[1]?.trim() ?? '—',
    indexed: summaryOf(stdout),
  };
}

// What the run left in the index: documents added and failed, from the summary line.
function summaryOf(stdout: string): string {
  const added = /(\d+) added/.exec(stdout)?.[1];
  const failed = /(\d+) failed/.exec(stdout)?.[1];
  const holds = /holds (\d+) documents/.exec(stdout)?.[1];
  return added === undefined
    ? 'nothing (no summary)'
    : `${added} added, ${failed} failed; index holds ${holds}`;
}

const outcomes = [
  await ingest('good1.md alone (baseline)', '', undefined),
  await ingest(`bomb.docx (document.xml ${inflateMb} MiB) + good1.md`, 'bomb.docx', makeDocxBomb(inflateMb)),
  await ingest(
    `bomb.pdf (Flate stream ${inflateMb} MiB) + good1.md`,
    'bomb.pdf',
    await makePdfBomb(inflateMb),
  ),
  await ingest(
    `text.pdf (Flate stream of Tj lines, ${inflateMb} MiB) + good1.md`,
    'text.pdf',
    await makePdfBomb(inflateMb, 'text'),
  ),
];

console.log(
  `cairn ingest, ${values.bin}${values['heap-mb'] ? `, --max-old-space-size=${values['heap-mb']}` : ''}`,
);
console.log(
  markdownTable(
    ['scenario', 'file size', 'peak RSS (MB)', 'time (s)', 'exit', 'indexed', 'failed line'],
    outcomes.map((outcome) => [
      outcome.scenario,
      outcome.bombBytes === 0 ? '—' : `${(outcome.bombBytes / 1024 / 1024).toFixed(1)} MB`,
      outcome.peakRssMb.toFixed(0),
      outcome.seconds.toFixed(1),
      outcome.exit,
      outcome.indexed,
      outcome.failedLine,
    ]),
  ),
);
