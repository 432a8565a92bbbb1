import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../../src/engine/index.ts';
import { RESULTS_DIR } from './shared-data.ts';

/** The project root, for the bundled corpus and golden set. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The bundled field guide indexed with the default configuration (local embedder) in the
 * benchmarks' cache folder; unchanged documents are skipped on later runs. Returns the config's
 * retrieval settings, which the answer benchmarks use as is.
 */
export async function openFieldGuide() {
  const { config } = loadConfig({ cwd: ROOT, env: {} });
  const { store, embedder } = openIndex({
    indexPath: path.join(RESULTS_DIR, 'field-guide.db'),
    createDirectories: true,
    endpoint: { threads: ingestThreads() },
  });
  await ingestPath({
    store,
    embedder,
    chunking: config.chunking,
    inputPath: path.join(ROOT, 'corpus', 'field-guide'),
  });
  const retrieval = { mode: config.retrieval.mode, k: config.retrieval.k, fusion: config.retrieval.fusion };
  return { config, store, embedder, retrieval };
}
