import { Worker } from 'node:worker_threads';
import { CairnError } from '../spec/index.ts';

/** Texts sent to a worker at once: one model call there (the worker's batch of 8). */
const SLICE = 8;

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  /** Jobs sent to this worker and not yet answered, by id (one at a time). */
  pending: Map<number, Pending>;
}

/** One `run` call: its texts go out a slice at a time, taking turns with the other calls. */
interface Request {
  values: string[];
  /** Start of the next slice not yet sent. */
  next: number;
  /** Vectors received, by slice start. */
  slices: Map<number, Float32Array[]>;
  received: number;
  settled: boolean;
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed-size set of embedding workers, started one at a time as concurrent jobs need them. Each
 * worker embeds one slice of 8 texts at a time; a free worker takes the next slice of the next
 * call in turn, so a call of a few texts waits for at most one slice per worker, not for every
 * slice of a large call that came first. A worker is referenced only while it has jobs, so an
 * idle pool never keeps the process alive; {@link WorkerPool.close} ends the workers explicitly.
 */
export class WorkerPool {
  readonly #script: URL;
  readonly #size: number;
  readonly #workers: PooledWorker[] = [];
  /** Calls with slices not yet sent, in the order they get their next turn. */
  readonly #turns: Request[] = [];
  /** Calls with slices sent or waiting, so close() can reject them. */
  readonly #requests = new Set<Request>();
  #nextId = 0;
  #closed = false;

  constructor(script: URL, size: number) {
    this.#script = script;
    this.#size = size;
  }

  /**
   * Embeds a batch on the workers, in slices. An abort rejects at once; a slice already on a
   * worker is finished there and its result is dropped.
   */
  run(values: string[], abortSignal?: AbortSignal): Promise<Float32Array[]> {
    if (this.#closed)
      return Promise.reject(new CairnError('internal', 'the embedding worker pool is closed'));
    if (abortSignal?.aborted) return Promise.reject(abortError(abortSignal));
    if (values.length === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => request.reject(abortError(abortSignal as AbortSignal));
      const finish = (settle: () => void) => {
        if (request.settled) return;
        request.settled = true;
        abortSignal?.removeEventListener('abort', onAbort);
        this.#requests.delete(request);
        const turn = this.#turns.indexOf(request);
        if (turn !== -1) this.#turns.splice(turn, 1);
        settle();
      };
      const request: Request = {
        values,
        next: 0,
        slices: new Map(),
        received: 0,
        settled: false,
        resolve: (vectors) => finish(() => resolve(vectors)),
        reject: (error) => finish(() => reject(error)),
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
      this.#requests.add(request);
      this.#turns.push(request);
      this.#dispatch();
    });
  }

  /**
   * Starts the first worker now, unless one runs, so its model is loaded and run once while the
   * caller does other work: for a command that will embed one question in a moment. The worker
   * holds the process open only once it has jobs.
   */
  warm(): void {
    if (!this.#closed && this.#workers.length === 0) this.#start({ warmUp: true });
  }

  /** Rejects jobs still running and ends every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    for (const request of [...this.#requests])
      request.reject(new CairnError('internal', 'the embedding worker pool was closed'));
    for (const { pending } of workers)
      for (const job of [...pending.values()])
        job.reject(new CairnError('internal', 'the embedding worker pool was closed'));
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  /** Sends the next slices, in turn, to every free worker (starting workers while there is room). */
  #dispatch(): void {
    while (!this.#closed && this.#turns.length > 0) {
      const target = this.#workers.find((candidate) => candidate.pending.size === 0) ?? this.#startIfRoom();
      if (!target) return;
      const request = this.#turns.shift() as Request;
      const start = request.next;
      request.next = Math.min(request.values.length, start + SLICE);
      if (request.next < request.values.length) this.#turns.push(request);
      this.#send(target, request.values.slice(start, request.next), {
        resolve: (vectors) => {
          if (request.settled) return;
          request.slices.set(start, vectors);
          request.received += vectors.length;
          if (request.received >= request.values.length)
            request.resolve(
              [...request.slices.entries()].sort(([a], [b]) => a - b).flatMap(([, part]) => part),
            );
        },
        reject: (error) => request.reject(error),
      });
    }
  }

  #send(target: PooledWorker, values: string[], job: Pending): void {
    const id = this.#nextId++;
    const settle = (finish: () => void) => {
      if (!target.pending.delete(id)) return;
      if (target.pending.size === 0) target.worker.unref();
      finish();
      this.#dispatch();
    };
    target.pending.set(id, {
      resolve: (vectors) => settle(() => job.resolve(vectors)),
      reject: (error) => settle(() => job.reject(error)),
    });
    target.worker.ref();
    target.worker.postMessage({ id, values });
  }

  #startIfRoom(): PooledWorker | undefined {
    return this.#workers.length < this.#size ? this.#start() : undefined;
  }

  #start(workerData: { warmUp: boolean } = { warmUp: false }): PooledWorker {
    const worker = new Worker(this.#script, { workerData });
    const pooled: PooledWorker = { worker, pending: new Map() };
    const failAll = (error: Error) => {
      // Out of the pool first: rejecting a job hands out the next slice, never to this worker.
      const index = this.#workers.indexOf(pooled);
      if (index !== -1) this.#workers.splice(index, 1);
      for (const job of [...pooled.pending.values()]) job.reject(error);
    };
    worker.on('message', (message: { id: number; vectors?: Float32Array[]; error?: string }) => {
      const job = pooled.pending.get(message.id);
      if (!job) return;
      if (message.vectors) job.resolve(message.vectors);
      else job.reject(new CairnError('internal', `local embedder worker failed: ${message.error}`));
    });
    worker.on('error', (error) =>
      failAll(
        new CairnError('internal', `local embedder worker crashed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', (code) =>
      failAll(new CairnError('internal', `local embedder worker exited with code ${code}`)),
    );
    // After the listeners: adding a 'message' listener to a Worker re-references its message port,
    // so unref() called before it would leave an idle worker holding the process open.
    worker.unref();
    this.#workers.push(pooled);
    return pooled;
  }
}

function abortError(signal: AbortSignal): Error {
  // The signal's own reason, as throwIfAborted() would throw it, so callers can tell a deadline.
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new CairnError('aborted', 'embedding cancelled', { cause: reason });
}
