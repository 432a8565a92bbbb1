/**
 * Stable error codes. The CLI maps them to exit codes and the server to HTTP statuses,
 * so a code never changes meaning once published.
 */
export type CairnErrorCode =
  | 'invalid_input'
  | 'invalid_option'
  | 'unsupported_format'
  | 'dimension_mismatch'
  | 'embedder_mismatch'
  | 'api_call_failed'
  | 'index_locked'
  /** No index file where one must already exist (ask or search before any ingest). */
  | 'index_not_found'
  | 'not_found'
  | 'dataset_invalid'
  | 'aborted'
  | 'deadline_exceeded'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  /** The server has more answers running and waiting than it takes; retry after a while. */
  | 'overloaded'
  | 'budget_exceeded'
  | 'payload_too_large'
  | 'internal';

/** Base class of every error cairn throws on purpose; carries a stable `code` and an optional `cause`. */
export class CairnError extends Error {
  readonly code: CairnErrorCode;

  constructor(code: CairnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
  }

  /** True when `error` is a CairnError, optionally with the given code. */
  static is(error: unknown, code?: CairnErrorCode): error is CairnError {
    return error instanceof CairnError && (code === undefined || error.code === code);
  }
}
