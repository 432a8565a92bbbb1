import { ZodError, z } from 'zod';
import { ApiCallError, CairnError, type CairnErrorCode } from '../spec/index.ts';

const STATUS: Partial<Record<CairnErrorCode, number>> = {
  invalid_input: 400,
  invalid_option: 400,
  dataset_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  index_not_found: 404,
  payload_too_large: 413,
  unsupported_format: 415,
  rate_limited: 429,
  overloaded: 503,
  budget_exceeded: 429,
  embedder_mismatch: 409,
  dimension_mismatch: 409,
  index_locked: 503,
  api_call_failed: 502,
  aborted: 499,
  deadline_exceeded: 504,
};

/** An error response body; `requestId` matches the response's `x-request-id` header. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  requestId?: string;
}

/**
 * The one place errors become HTTP: `{error:{code,message,details},requestId}` and a status.
 * With a request id, the body carries it so a user can quote it and an operator find the log line.
 */
export function errorResponse(error: unknown, requestId?: string): { status: number; body: ErrorBody } {
  const { status, body } = describe(error);
  return { status, body: requestId ? { ...body, requestId } : body };
}

function describe(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: z.prettifyError(error).replace(/\n/g, '; '),
          details: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        },
      },
    };
  }
  if (error instanceof ApiCallError) {
    return {
      status: 502,
      body: {
        error: {
          code: error.code,
          message: error.message,
          details: { status: error.status, retryable: error.isRetryable },
        },
      },
    };
  }
  if (CairnError.is(error)) {
    return {
      status: STATUS[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  // Unexpected errors keep their details out of the response.
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'internal error; see the server log' } },
  };
}
