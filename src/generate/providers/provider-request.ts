import { ApiCallError, CairnError } from '../../spec/index.ts';

/** Settings of one provider HTTP call. */
export interface ProviderRequestOptions {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Milliseconds until the response headers arrive. */
  timeoutMs: number;
  /** Milliseconds allowed between two chunks of a streamed body. */
  idleTimeoutMs: number;
  abortSignal?: AbortSignal;
}

/** An open response plus the hooks that keep its idle timer honest. */
export interface ProviderResponse {
  response: Response;
  /** Call on every received chunk of a streamed body. */
  touch(): void;
  /** Call when the body has been read or abandoned; clears timers. */
  close(): void;
  /** Turns an error thrown while reading the body into the right cairn error. */
  translate(error: unknown): Error;
}

/**
 * POSTs JSON to a provider with a first-byte timeout, an idle timeout for streams and caller
 * cancellation that aborts the HTTP request itself. Non-2xx answers become `ApiCallError`s with
 * the status, a body excerpt and any Retry-After.
 */
export async function providerRequest(options: ProviderRequestOptions): Promise<ProviderResponse> {
  const controller = new AbortController();
  let reason: 'timeout' | 'idle' | 'caller' | undefined;
  const abort = (why: typeof reason) => {
    reason ??= why;
    controller.abort();
  };
  const onCallerAbort = () => abort('caller');
  if (options.abortSignal?.aborted)
    throw new CairnError('aborted', `request to ${options.url} was cancelled`);
  options.abortSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let timer: NodeJS.Timeout | undefined = setTimeout(() => abort('timeout'), options.timeoutMs);
  const close = () => {
    clearTimeout(timer);
    timer = undefined;
    options.abortSignal?.removeEventListener('abort', onCallerAbort);
  };
  const translate = (error: unknown): Error => {
    if (error instanceof CairnError) return error;
    if (reason === 'caller')
      return new CairnError('aborted', `request to ${options.url} was cancelled`, { cause: error });
    if (reason === 'timeout') {
      return new ApiCallError({
        message: `request to ${options.url} timed out after ${options.timeoutMs} ms`,
        url: options.url,
        isRetryable: true,
        cause: error,
      });
    }
    if (reason === 'idle') {
      return new ApiCallError({
        message: `stream from ${options.url} stalled: no data for ${options.idleTimeoutMs} ms`,
        url: options.url,
        isRetryable: true,
        cause: error,
      });
    }
    const detail =
      error instanceof Error
        ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
        : String(error);
    return new ApiCallError({
      message: `request to ${options.url} failed: ${detail}`,
      url: options.url,
      isRetryable: true,
      cause: error,
    });
  };

  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(options.body),
      signal: controller.signal,
    });
  } catch (error) {
    close();
    throw translate(error);
  }
  clearTimeout(timer);
  timer = setTimeout(() => abort('idle'), options.idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort('idle'), options.idleTimeoutMs);
  };
  if (!response.ok) {
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The status alone is enough to report.
    }
    close();
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    throw new ApiCallError({
      message: `${options.url} returned HTTP ${response.status}: ${text.slice(0, 200)}`,
      url: options.url,
      status: response.status,
      responseBody: text.slice(0, 2000),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
  }
  return { response, touch, close, translate };
}

/** Retry-After as milliseconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Parses a JSON body, turning a malformed one into a clear, retryable ApiCallError. */
export function parseJsonBody(text: string, url: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ApiCallError({
      message: `${url} returned a body that is not valid JSON: ${text.slice(0, 120)}`,
      url,
      status: 200,
      responseBody: text.slice(0, 2000),
      isRetryable: true,
      cause,
    });
  }
}
