/**
 * Query latency p50/p95 for bm25, dense and hybrid, with and without query embedding, for cairn
 * and peer libraries on the same texts and vectors (SciFact-size and 100k chunks), plus peak RSS.
 * Each system runs in its own process. The first run embeds the corpora with USE-lite and caches
 * them in bench/results (about 15 minutes on 2 cores).
 *
 *   npx tsx bench/query-latency.ts [--sizes scifact,100k] [--systems cairn,orama,minisearch,lancedb] [--queries-100k 100]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reportFigure } from './lib/figures.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'scifact,100k' },
    systems: { type: 'string', default: 'cairn,orama,minisearch,lancedb' },
    /** Queries per size (SciFact has 300 test queries); the 100k run defaults to the first 100. */
    'queries-100k': { type: 'string', default: '100' },
  },
});

interface WorkerResult {
  system: string;
  size: string;
  chunks: number;
  buildMs: number;
  maxRssMb: number;
  results: Record<string, { p50: number; p95: number }>;
}

const worker = fileURLToPath(new URL('./lib/latency-worker.ts', import.meta.url));
const modes = ['bm25', 'dense', 'hybrid', 'bm25+embed', 'dense+embed', 'hybrid+embed'];

for (const size of values.sizes.split(',')) {
  const runs: WorkerResult[] = [];
  for (const system of values.systems.split(',')) {
    process.stderr.write(`running ${system} at ${size}...\n`);
    const limit = size === '100k' ? [values['queries-100k']] : [];
    const child = spawnSync(process.execPath, ['--import', 'tsx', worker, system, size, ...limit], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = child.stdout.trim().split('\n').at(-1);
    if (child.status !== 0 || !line) {
      process.stderr.write(`${system} failed at ${size} (exit ${child.status})\n`);
      continue;
    }
    runs.push(JSON.parse(line) as WorkerResult);
  }
  const cairn = runs.find((run) => run.system === 'cairn');
  console.log(
    `\n${size}: ${runs[0]?.chunks ?? '?'} chunks, ${size === '100k' ? values['queries-100k'] : 300} SciFact test queries, top 10, ms per query (p50 / p95)\n`,
  );
  console.log(
    markdownTable(
      ['system', ...modes, 'build s', 'peak RSS MB'],
      runs.map((run) => [
        run.system,
        ...modes.map((mode) => {
          const result = run.results[mode];
          return result ? `${fixed(result.p50, 2)} / ${fixed(result.p95, 2)}` : '—';
        }),
        fixed(run.buildMs / 1000, 1),
        fixed(run.maxRssMb, 0),
      ]),
    ),
  );
  for (const run of runs)
    for (const mode of modes) {
      const result = run.results[mode];
      if (result) reportFigure(`query-latency.${size}.${run.system}.${mode}-p50-ms`, result.p50);
    }
  if (cairn) {
    console.log('\np50 ratio, peer / cairn (above 1 = cairn faster)\n');
    console.log(
      markdownTable(
        ['system', ...modes],
        runs
          .filter((run) => run !== cairn)
          .map((run) => [
            run.system,
            ...modes.map((mode) => {
              const peer = run.results[mode];
              const ours = cairn.results[mode];
              return peer && ours ? fixed(peer.p50 / ours.p50, 2) : '—';
            }),
          ]),
      ),
    );
  }
}
