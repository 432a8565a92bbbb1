// Child process for the crash test: ingests a folder and SIGKILLs itself once `killAfter`
// documents have been processed, from a timer, so the kill lands between the awaits of the next
// document's parse, embed and write. Counting documents instead of milliseconds keeps the kill
// inside the run however loaded the machine is. Usage: ingest-until-killed.ts <dir> <index> <killAfter>
import { createHashingEmbedder } from '../../embed/hashing-embedder.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { ingestPath } from '../ingest-path.ts';

const [dir, indexPath, killAfter] = process.argv.slice(2) as [string, string, string];
const embedder = createHashingEmbedder({ dimensions: 64 });
const store = openSqliteStore({
  path: indexPath,
  embedder: { embedderId: 'hashing:hash-64', dimensions: 64 },
});
let armed = false;
await ingestPath({
  store,
  embedder,
  chunking: { strategy: 'structure', maxTokens: 32, overlapTokens: 0, childMaxTokens: 16 },
  inputPath: dir,
  embedBatchSize: 1,
  onProgress: ({ processed }) => {
    if (armed || processed < Number(killAfter)) return;
    armed = true;
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 0);
  },
});
process.stdout.write('finished before the kill\n');
