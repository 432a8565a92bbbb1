/**
 * Builds and caches the latency benchmark corpora (USE-lite vectors for SciFact chunks and for
 * ~100k sentence chunks) ahead of `bench/query-latency.ts`. About 15 minutes on 2 cores.
 *   npx tsx bench/build-latency-corpora.ts [scifact] [100k]
 */
import { loadLatencyCorpus } from './lib/latency-corpus.ts';

const sizes = process.argv.slice(2);
for (const size of sizes.length > 0 ? sizes : ['scifact', '100k']) {
  const corpus = await loadLatencyCorpus(size as 'scifact' | '100k');
  console.log(`${size}: ${corpus.texts.length} chunks, ${corpus.queries.length} queries cached`);
}
