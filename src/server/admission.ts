import { CairnError } from '../spec/index.ts';

/** Limits of {@link createAdmission}. */
export interface AdmissionLimits {
  /** Answers computed at once; more wait their turn. */
  maxInFlight: number;
  /** Answers waiting for a turn; past this a request is turned away at once. */
  maxQueued: number;
  /** Longest wait for a turn before the request is turned away. */
  maxWaitMs: number;
}

/** A turn to answer: released when the answer is done, whatever the outcome. */
export type Release = () => void;

/** Admission for expensive requests; `admit` resolves with a turn or throws `overloaded`. */
export interface Admission {
  admit(signal?: AbortSignal): Promise<Release>;
  /** Answers in flight and waiting, for metrics. */
  load(): { inFlight: number; queued: number };
}

/**
 * Bounded concurrency with a bounded, first-come queue for the answering routes. Under overload
 * a request is told so at once (`overloaded`: 503 with Retry-After) instead of slowing every
 * other answer down until all of them time out. Retry-After is the time the queue ahead of it
 * would take at the recent pace of answers.
 */
export function createAdmission(limits: AdmissionLimits): Admission {
  let inFlight = 0;
  const waiting: { grant: () => void; timer: NodeJS.Timeout }[] = [];
  // Recent answers' durations, to say how long the queue takes to drain.
  let meanAnswerMs = 1000;

  const retryAfterSeconds = () =>
    Math.max(1, Math.ceil(((waiting.length + 1) * meanAnswerMs) / Math.max(1, limits.maxInFlight) / 1000));
  const overloaded = (why: string) =>
    Object.assign(new CairnError('overloaded', `${why}; retry in ${retryAfterSeconds()} s`), {
      retryAfterSeconds: retryAfterSeconds(),
    });

  const turn = (): Release => {
    inFlight += 1;
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      meanAnswerMs = 0.9 * meanAnswerMs + 0.1 * (performance.now() - started);
      const next = waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant();
      }
    };
  };

  return {
    admit(signal) {
      if (inFlight < limits.maxInFlight && waiting.length === 0) return Promise.resolve(turn());
      if (waiting.length >= limits.maxQueued)
        return Promise.reject(
          overloaded(`server busy: ${inFlight} answers running and ${waiting.length} waiting`),
        );
      return new Promise<Release>((resolve, reject) => {
        const entry = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(turn());
          },
          timer: setTimeout(() => {
            waiting.splice(waiting.indexOf(entry), 1);
            signal?.removeEventListener('abort', onAbort);
            reject(overloaded(`server busy: no turn to answer within ${limits.maxWaitMs} ms`));
          }, limits.maxWaitMs),
        };
        const onAbort = () => {
          const index = waiting.indexOf(entry);
          if (index !== -1) waiting.splice(index, 1);
          clearTimeout(entry.timer);
          reject(new CairnError('aborted', 'the client went away while waiting for a turn'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
      });
    },
    load: () => ({ inFlight, queued: waiting.length }),
  };
}
