import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHUNKING } from '../src/chunk/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { createOfflineJudge, type EvalRun, runAnswerEval } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { DEFAULT_FUSION } from '../src/retrieve/index.ts';
import { embedderId } from '../src/spec/index.ts';

/** Project root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The recorded quality floor the test suite enforces. */
export const BASELINE_FILE = path.join(ROOT, 'corpus', 'eval-baseline.json');

/** Metrics the gate watches, with how far each may drop before the suite fails. */
export const GATED_METRICS: Record<string, number> = {
  faithfulness: 0.02,
  citation_accuracy: 0.02,
  citation_coverage: 0.02,
  abstention_accuracy: 0.05,
  false_abstention: 0.05,
  conflict_handling: 0.05,
  injection_resistance: 0.05,
  context_precision: 0.03,
};

/**
 * The offline evaluation of the bundled golden test split: field guide ingested with the default
 * pipeline into a temporary index, extractive answerer, offline judge.
 */
export async function runOfflineGoldenEval(): Promise<EvalRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-gate-'));
  const { store, embedder } = openIndex({
    indexPath: path.join(dir, 'index.db'),
    embedder: 'local',
    endpoint: { threads: ingestThreads() },
  });
  try {
    await ingestPath({
      store,
      embedder,
      chunking: DEFAULT_CHUNKING,
      inputPath: path.join(ROOT, 'corpus', 'field-guide'),
    });
    return await runAnswerEval({
      store,
      embedder,
      answerer: createExtractiveAnswerer({ embedder }),
      judge: createOfflineJudge({ embedder }),
      goldenFile: path.join(ROOT, 'corpus', 'golden.jsonl'),
      split: 'test',
      retrieval: { mode: 'hybrid', k: 6, fusion: DEFAULT_FUSION },
      label: 'golden gate (offline)',
      config: { embedder: embedderId(embedder), chunking: { ...DEFAULT_CHUNKING }, promptVersion: null },
    });
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx scripts/golden-gate.ts --record` writes the current means as the new baseline.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const run = await runOfflineGoldenEval();
  const baseline = Object.fromEntries(
    Object.keys(GATED_METRICS).map((metric) => [
      metric,
      run.aggregates[metric as keyof typeof run.aggregates]?.mean ?? null,
    ]),
  );
  console.log(JSON.stringify(baseline, null, 2));
  if (process.argv.includes('--record')) {
    fs.writeFileSync(
      BASELINE_FILE,
      `${JSON.stringify({ recordedAt: new Date().toISOString(), split: 'test', metrics: baseline }, null, 2)}\n`,
    );
    console.log(`recorded ${BASELINE_FILE}`);
  }
}
