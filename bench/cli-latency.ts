/**
 * Wall time of `cairn ask` as a user runs it: a fresh `node bin/cairn.js ask ...` process per
 * question, on the public Vitest docs (../shared/corpora/vitest-docs) indexed with the default
 * settings (local USE-lite embedder, extractive answerer). Each question of the Vitest golden
 * test split (the first --questions of it) is asked --rounds times:
 *
 * - cold: no server, so the process loads the engine and the model itself;
 * - warm: `cairn serve` holds the index, so the process asks it over loopback;
 * - "no index yet": the time to say there is none.
 *
 * Both ways bin/cairn.js runs are measured: `built` (dist/ from `npm run build`, which an
 * installed package ships; the bench builds it first) and `source` (the TypeScript through tsx,
 * a checkout without a build). Every answer is asked with --no-cache, so a repeat is answered
 * again rather than served from the answer cache. The cold breakdown is the `--debug` stage
 * marks (milliseconds since the process started) and the answer's own stage timings.
 *
 *   npx tsx bench/cli-latency.ts [--pages 85,223] [--questions 10] [--rounds 2] [--modes built,source]
 *
 * Indexes are built once (minutes: the model embeds every chunk) under bench/results/cli-latency/,
 * keyed by the pages they hold, and reused. The 85-page sample (the size the issue measured) holds
 * the documents the questions are about, then the rest by the SHA-256 of their paths.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isBuildCurrent } from '../bin/build-current.js';
import { loadGoldenSet } from '../src/evaluate/golden-set.ts';
import { type CairnProcess, spawnCairn, untilPrinted } from '../src/testing/cairn-process.ts';
import { ROOT } from './lib/field-guide.ts';
import { fixed, markdownTable, percentile } from './lib/markdown-table.ts';
import { RESULTS_DIR } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '85,223' },
    questions: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'built,source' },
  },
});

const DOCS = path.resolve(ROOT, '../shared/corpora/vitest-docs/docs');
if (!fs.existsSync(DOCS)) {
  process.stderr.write(
    `Vitest docs not found at ${DOCS}: the bench reads ../shared/corpora from the root.\n`,
  );
  process.exit(2);
}
const SOURCE_ENTRY = ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'run.ts')];
const rounds = Number(values.rounds);
const modes = values.modes.split(',') as Mode[];
const questions = loadGoldenSet(path.join(ROOT, 'corpus', 'vitest-golden.jsonl'), 'test').slice(
  0,
  Number(values.questions),
);
// The default settings: no index or embedder from this shell's environment.
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete env.CAIRN_INDEX;
delete env.CAIRN_EMBEDDER;

type Mode = 'built' | 'source';

/** How one `cairn` run starts in a mode: bin/cairn.js, or the sources through tsx. */
function start(mode: Mode, args: string[]): CairnProcess {
  return spawnCairn(args, { cwd: ROOT, env, ...(mode === 'source' ? { entry: SOURCE_ENTRY } : {}) });
}

interface Run {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One `cairn` process, timed from spawn to exit. */
async function cairn(mode: Mode, args: string[]): Promise<Run> {
  const started = performance.now();
  const run = start(mode, args);
  const code = await run.exit;
  return { ms: performance.now() - started, code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Every Markdown file of the docs, as paths relative to the docs folder, sorted. */
function allPages(): string[] {
  return fs
    .readdirSync(DOCS, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => path.relative(DOCS, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** `count` pages: those the questions are about first, then the rest by the hash of their path. */
function samplePages(count: number): string[] {
  const pages = allPages();
  if (count >= pages.length) return pages;
  const wanted = new Set(
    questions.flatMap((item) => item.relevant_doc_ids.map((id) => id.replace(/^vitest-docs\//, ''))),
  );
  const byHash = (page: string) => createHash('sha256').update(page).digest('hex');
  const rest = pages.filter((page) => !wanted.has(page)).sort((a, b) => byHash(a).localeCompare(byHash(b)));
  return [...pages.filter((page) => wanted.has(page)), ...rest].slice(0, count).sort();
}

/** The index of these pages, built with `cairn ingest` the first time and reused after. */
async function indexOf(pages: string[]): Promise<string> {
  const digest = createHash('sha256');
  for (const page of pages) digest.update(page).update(fs.readFileSync(path.join(DOCS, page)));
  const dir = path.join(
    RESULTS_DIR,
    'cli-latency',
    `pages-${pages.length}-${digest.digest('hex').slice(0, 12)}`,
  );
  const index = path.join(dir, 'index.db');
  if (fs.existsSync(path.join(dir, 'complete'))) return index;
  fs.rmSync(dir, { recursive: true, force: true });
  for (const page of pages) {
    fs.mkdirSync(path.dirname(path.join(dir, 'docs', page)), { recursive: true });
    fs.copyFileSync(path.join(DOCS, page), path.join(dir, 'docs', page));
  }
  process.stderr.write(
    `indexing ${pages.length} pages into ${index} (minutes: the model embeds every chunk)\n`,
  );
  const run = await cairn('built', [
    'ingest',
    path.join(dir, 'docs'),
    '--collection',
    'vitest-docs',
    '--index',
    index,
    '--no-calibrate',
  ]);
  // Exit 3: some pages failed (the docs' index.md has no text after its front matter).
  if (run.code !== 0 && run.code !== 3) throw new Error(`ingest failed (${run.code}): ${run.stderr}`);
  process.stderr.write(`${run.stdout.trim().split('\n')[0] ?? ''}\n`);
  fs.writeFileSync(path.join(dir, 'complete'), `${(run.ms / 1000).toFixed(1)} s\n`);
  return index;
}

/** `cairn serve` on the index, once it listens; the caller stops it. */
async function startServer(mode: Mode, index: string): Promise<CairnProcess> {
  const server = start(mode, ['serve', '--index', index, '--port', '0']);
  await untilPrinted(server, /cairn API and UI on/);
  return server;
}

async function stopServer(server: CairnProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exit;
}

/** `cairn N ms <stage>` lines of a --debug run. */
function stageMarks(stderr: string): Map<string, number> {
  return new Map(
    [...stderr.matchAll(/^cairn: (\d+) ms (.+)$/gm)].map((match) => [match[2] as string, Number(match[1])]),
  );
}

/** The answer's own stage timings, from the terminal view's "embed ... · total N ms" line. */
function answerTimings(stdout: string): Map<string, number> {
  const line = /^embed .* total [\d.]+ ms$/m.exec(stdout)?.[0] ?? '';
  return new Map(
    [...line.matchAll(/(\w+) ([\d.]+) ms/g)].map((match) => [match[1] as string, Number(match[2])]),
  );
}

interface Measured {
  label: string;
  runs: Run[];
  /** The 1-minute load average as the series started. */
  load: number;
}

/** Asks every question `rounds` times; fails loudly on a run that did not answer. */
async function askAll(mode: Mode, index: string, expectServer: boolean): Promise<Run[]> {
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const item of questions) {
      const run = await cairn(mode, ['ask', item.question, '--index', index, '--no-cache', '--debug']);
      if (run.code !== 0) throw new Error(`cairn ask failed (${run.code}): ${run.stderr}`);
      const viaServer = /answered by the server/.test(run.stderr);
      if (viaServer !== expectServer)
        throw new Error(`expected ${expectServer ? 'the server' : 'a local answer'}: ${run.stderr}`);
      runs.push(run);
    }
  }
  return runs;
}

const median = (samples: number[]) => percentile(samples, 50);
const seconds = (ms: number) => fixed(ms / 1000, 2);

if (modes.includes('built')) {
  process.stderr.write('building dist/ (npm run build)\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const loadBefore = os.loadavg();
const rows: (string | number)[][] = [];
const breakdowns: string[] = [];
for (const count of values.pages.split(',').map(Number)) {
  const pages = samplePages(count);
  const index = await indexOf(pages);
  for (const mode of modes) {
    if (mode === 'built' && !isBuildCurrent(ROOT))
      throw new Error('src/ changed after the build: bin/cairn.js would run the sources, not dist/');
    const measured: Measured[] = [];
    const series = async (label: string, take: () => Promise<Run[]>) => {
      const load = os.loadavg()[0] as number;
      const runs = await take();
      measured.push({ label, runs, load });
      return runs;
    };
    const missing = path.join(os.tmpdir(), `cairn-no-index-${process.pid}.db`);
    await series('no index yet', async () => {
      const runs: Run[] = [];
      for (const _ of questions) {
        const run = await cairn(mode, ['ask', 'anything', '--index', missing]);
        if (run.code !== 4) throw new Error(`expected exit 4 for a missing index: ${run.stderr}`);
        runs.push(run);
      }
      return runs;
    });
    const cold = await series('cold (no server)', () => askAll(mode, index, false));
    const server = await startServer('built', index);
    let warm: Run[];
    try {
      // The server's first answer starts its second model thread; a running server has done that.
      await cairn(mode, ['ask', questions[0]?.question ?? 'warm up', '--index', index, '--no-cache']);
      warm = await series('warm (cairn serve running)', () => askAll(mode, index, true));
    } finally {
      await stopServer(server);
    }
    for (const { label, runs, load } of measured) {
      const ms = runs.map((run) => run.ms);
      rows.push([
        `${count} pages`,
        mode,
        label,
        runs.length,
        seconds(median(ms)),
        seconds(percentile(ms, 90)),
        load.toFixed(1),
      ]);
    }
    const stages = ['settings resolved', 'index open', 'engine loaded', 'answered', 'index closed'];
    const marks = cold.map((run) => stageMarks(run.stderr));
    const timings = cold.map((run) => answerTimings(run.stdout));
    const stageText = stages
      .map((stage) => `${stage} ${fixed(median(marks.map((mark) => mark.get(stage) ?? Number.NaN)), 0)}`)
      .join(' · ');
    const timingText = ['embed', 'retrieve', 'generate', 'guard', 'total']
      .map(
        (stage) => `${stage} ${fixed(median(timings.map((timing) => timing.get(stage) ?? Number.NaN)), 0)}`,
      )
      .join(' · ');
    const served = warm.map((run) => answerTimings(run.stdout).get('total') ?? Number.NaN);
    const overhead = warm.map((run, i) => run.ms - (served[i] as number));
    breakdowns.push(
      `${count} pages, ${mode}, cold: ms since process start: ${stageText} · exit ${fixed(median(cold.map((run) => run.ms)), 0)}; the answer's stages (ms): ${timingText}`,
      `${count} pages, ${mode}, warm: the server's answer ${fixed(median(served), 0)} ms (p90 ${fixed(percentile(served, 90), 0)}), the rest of the wall time (process, configuration, HTTP) ${fixed(median(overhead), 0)} ms`,
    );
  }
}
const loadAfter = os.loadavg();
const load = (avg: number[]) => avg.map((value) => value.toFixed(2)).join(', ');
const report = [
  `cairn ask wall time, ${questions.length} Vitest questions × ${rounds} rounds, --no-cache; ${os.availableParallelism()} cores; load average before ${load(loadBefore)}, after ${load(loadAfter)}`,
  '',
  markdownTable(['index', 'bin runs', 'path', 'runs', 'median s', 'p90 s', 'load (1 min)'], rows),
  '',
  ...breakdowns.map((line) => `- ${line}`),
].join('\n');
fs.mkdirSync(RESULTS_DIR, { recursive: true });
fs.writeFileSync(path.join(RESULTS_DIR, 'cli-latency.md'), `${report}\n`);
console.log(report);
