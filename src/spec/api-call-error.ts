import { CairnError } from './errors.ts';

/** A provider HTTP call failed; `isRetryable` says whether retrying may help (408, 429, 5xx, network). */
export class ApiCallError extends CairnError {
  readonly url: string;
  readonly status: number | undefined;
  readonly isRetryable: boolean;
  readonly responseBody: string | undefined;
  /** Wait the provider asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    message: string;
    url: string;
    status?: number;
    responseBody?: string;
    retryAfterMs?: number;
    isRetryable?: boolean;
    cause?: unknown;
  }) {
    super('api_call_failed', options.message, { cause: options.cause });
    this.name = 'ApiCallError';
    this.url = options.url;
    this.status = options.status;
    this.responseBody = options.responseBody;
    this.retryAfterMs = options.retryAfterMs;
    this.isRetryable =
      options.isRetryable ??
      (options.status === undefined ||
        options.status === 408 ||
        options.status === 429 ||
        options.status >= 500);
  }
}
