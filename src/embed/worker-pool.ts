import { Worker } from 'node:worker_threads';
import { CairnError } from '../spec/index.ts';

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  busy: number;
}

/**
 * A fixed set of embedding workers, started lazily. Each job goes to the least busy worker.
 * Workers are unref'd so an idle pool never keeps the process alive.
 */
export class WorkerPool {
  readonly #script: URL;
  readonly #size: number;
  readonly #pending = new Map<number, Pending>();
  #workers: PooledWorker[] | undefined;
  #nextId = 0;

  constructor(script: URL, size: number) {
    this.#script = script;
    this.#size = size;
  }

  /** Embeds one batch on a worker. */
  run(values: string[]): Promise<Float32Array[]> {
    const workers = this.#start();
    const target = workers.reduce((least, candidate) => (candidate.busy < least.busy ? candidate : least));
    const id = this.#nextId++;
    target.busy += 1;
    target.worker.ref();
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, values });
    }).finally(() => {
      target.busy -= 1;
      if (target.busy === 0) target.worker.unref();
    });
  }

  async close(): Promise<void> {
    const workers = this.#workers ?? [];
    this.#workers = undefined;
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  #start(): PooledWorker[] {
    if (this.#workers) return this.#workers;
    this.#workers = Array.from({ length: this.#size }, () => {
      const worker = new Worker(this.#script);
      worker.unref();
      worker.on('message', (message: { id: number; vectors?: Float32Array[]; error?: string }) => {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.vectors) pending.resolve(message.vectors);
        else pending.reject(new CairnError('internal', `local embedder worker failed: ${message.error}`));
      });
      worker.on('error', (error) => {
        for (const pending of this.#pending.values())
          pending.reject(
            new CairnError('internal', `local embedder worker crashed: ${error.message}`, { cause: error }),
          );
        this.#pending.clear();
      });
      return { worker, busy: 0 };
    });
    return this.#workers;
  }
}
