// A stand-in for the local embedder's worker: answers each text with a one-number vector, its
// length, after a short pause, one message at a time in arrival order like the real one.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', ({ id, values }) => {
  const vectors = values.map((value) => Float32Array.of(value.length));
  setTimeout(() => parentPort.postMessage({ id, vectors }), 2);
});
