// Child process for the crash test: ingests a folder and SIGKILLs itself after a delay, usually
// in the middle of a document's transaction. Usage: ingest-until-killed.ts <dir> <index> <delayMs>
import { createHashingEmbedder } from '../../embed/hashing-embedder.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { ingestPath } from '../ingest-path.ts';

const [dir, indexPath, delay] = process.argv.slice(2) as [string, string, string];
const embedder = createHashingEmbedder({ dimensions: 64 });
const store = openSqliteStore({
  path: indexPath,
  embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
});
setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(delay)).unref();
await ingestPath({
  store,
  embedder,
  chunking: { strategy: 'structure', maxTokens: 32, overlapTokens: 0, childMaxTokens: 16 },
  inputPath: dir,
  embedBatchSize: 1,
});
process.stdout.write('finished before the kill\n');
