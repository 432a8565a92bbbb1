import { DEFAULT_MODEL_CONCURRENCY } from '../../config/config-schema.ts';
import {
  ApiCallError,
  CairnError,
  type GenerateResult,
  type LanguageModel,
  type LanguageModelCallOptions,
  type StreamPart,
} from '../../spec/index.ts';

/** Options of {@link createResilientLanguageModel}. */
export interface ResilienceOptions {
  /** Retries per model after the first attempt, for retryable failures only. @default 2 */
  retries?: number;
  /** Backoff base and cap: the n-th retry waits uniformly in [0, min(cap, base·2ⁿ)]. @default 250, 4000 */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive failures that open a model's circuit, and how long it stays open. @default 5, 30000 */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /**
   * Calls per model at once that have not yet returned (a stream: its first token); more wait
   * their turn. @default 64
   */
  maxConcurrency?: number;
  /** Randomness for jitter (tests pass a seeded one). @default Math.random */
  random?: () => number;
  /** Clock, for breaker tests. @default Date.now */
  now?: () => number;
  /** Told about every retry and fallback, e.g. to record them in a trace. */
  onEvent?: (event: {
    type: 'retry' | 'fallback' | 'circuit-open';
    model: string;
    attempt: number;
    error: string;
    delayMs?: number;
  }) => void;
}

interface ModelState {
  model: LanguageModel;
  failures: number;
  openUntil: number;
  inFlight: number;
  waiting: (() => void)[];
}

/**
 * A language model over a fallback chain: each model is tried with retries (exponential backoff
 * with full jitter, at least the provider's Retry-After) on retryable failures (timeouts, 408,
 * 429, 5xx, broken responses), behind a per-model circuit breaker and concurrency limit; then the
 * next model is tried. A stream is retried only if it failed before its first token. When every
 * model fails, the error names each model's last failure.
 */
export function createResilientLanguageModel(
  models: LanguageModel[],
  options: ResilienceOptions = {},
): LanguageModel {
  if (models.length === 0)
    throw new CairnError('invalid_option', 'a fallback chain needs at least one model');
  const retries = options.retries ?? 2;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 4000;
  const threshold = options.breakerThreshold ?? 5;
  const cooldown = options.breakerCooldownMs ?? 30_000;
  const maxConcurrency = options.maxConcurrency ?? DEFAULT_MODEL_CONCURRENCY;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const states: ModelState[] = models.map((model) => ({
    model,
    failures: 0,
    openUntil: 0,
    inFlight: 0,
    waiting: [],
  }));
  const name = (state: ModelState) => `${state.model.provider}:${state.model.modelId}`;

  const acquire = async (state: ModelState) => {
    while (state.inFlight >= maxConcurrency)
      await new Promise<void>((resolve) => state.waiting.push(resolve));
    state.inFlight += 1;
  };
  const release = (state: ModelState) => {
    state.inFlight -= 1;
    state.waiting.shift()?.();
  };

  async function run<T>(
    call: (model: LanguageModel) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<{ value: T; state: ModelState }> {
    const failures: string[] = [];
    for (const [index, state] of states.entries()) {
      if (state.openUntil > now()) {
        failures.push(`${name(state)}: circuit open`);
        continue;
      }
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (signal?.aborted) throw new CairnError('aborted', 'the request was cancelled');
        await acquire(state);
        try {
          const value = await call(state.model);
          state.failures = 0;
          return { value, state };
        } catch (error) {
          if (signal?.aborted || CairnError.is(error, 'aborted')) throw error;
          const retryable = isRetryable(error);
          state.failures += 1;
          const message = error instanceof Error ? error.message : String(error);
          if (state.failures >= threshold) {
            state.openUntil = now() + cooldown;
            options.onEvent?.({ type: 'circuit-open', model: name(state), attempt, error: message });
          }
          if (!retryable) {
            // A request the provider rejects as invalid fails the same way everywhere.
            throw error;
          }
          if (attempt === retries || state.openUntil > now()) {
            failures.push(`${name(state)}: ${message}`);
            if (index < states.length - 1)
              options.onEvent?.({ type: 'fallback', model: name(state), attempt, error: message });
            break;
          }
          const delayMs = Math.max(
            random() * Math.min(cap, base * 2 ** attempt),
            error instanceof ApiCallError ? (error.retryAfterMs ?? 0) : 0,
          );
          options.onEvent?.({
            type: 'retry',
            model: name(state),
            attempt: attempt + 1,
            error: message,
            delayMs,
          });
          await sleep(delayMs, signal);
        } finally {
          release(state);
        }
      }
    }
    throw new CairnError('api_call_failed', `every model failed: ${failures.join('; ')}`);
  }

  const first = models[0] as LanguageModel;
  return {
    specificationVersion: 'v1',
    provider: first.provider,
    modelId: first.modelId,
    async doGenerate(callOptions: LanguageModelCallOptions): Promise<GenerateResult> {
      const { value, state } = await run((model) => model.doGenerate(callOptions), callOptions.abortSignal);
      return { ...value, response: { ...value.response, servedBy: name(state) } };
    },
    async doStream(callOptions: LanguageModelCallOptions) {
      // Open the stream and read up to its first token inside the retried call, so a stream that
      // dies before saying anything counts as a failed attempt.
      const { value, state } = await run(async (model) => {
        const { stream, warnings } = await model.doStream(callOptions);
        const iterator = stream[Symbol.asyncIterator]();
        const head: StreamPart[] = [];
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          if (next.value.type === 'error') throw next.value.error;
          head.push(next.value);
          if (next.value.type !== 'finish') break;
        }
        return { iterator, head, warnings };
      }, callOptions.abortSignal);
      const servedBy = name(state);
      // The finish part says which model of the chain answered, so cost uses its price.
      const mark = (part: StreamPart): StreamPart =>
        part.type === 'finish' ? { ...part, response: { ...part.response, servedBy } } : part;
      async function* rest(): AsyncIterable<StreamPart> {
        for (const part of value.head) yield mark(part);
        for (;;) {
          const next = await value.iterator.next();
          if (next.done) return;
          yield mark(next.value);
        }
      }
      return { stream: rest(), warnings: value.warnings };
    },
  };
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ApiCallError) return error.isRetryable;
  // Timeouts and broken bodies surface as other CairnErrors; a bad option never will succeed.
  return CairnError.is(error) ? error.code !== 'invalid_option' && error.code !== 'invalid_input' : true;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CairnError('aborted', 'the request was cancelled'));
      },
      { once: true },
    );
  });
}
