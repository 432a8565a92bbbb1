/** One server-side failure, as one structured log line. */
export interface ServerLogEntry {
  /** ISO 8601 time the failure was reported. */
  time: string;
  level: 'error';
  /** The id the client also received, in `x-request-id` and the error body. */
  requestId: string;
  method: string;
  /** The matched route pattern (`/v1/documents/:id`), or the path when no route matched. */
  route: string;
  path: string;
  /** The HTTP status sent, or that an error event inside a stream stands for. */
  status: number;
  error: { code: string; name: string; message: string; stack?: string; cause?: string };
}

/** Receives server failures; the default writes JSON lines to stderr. */
export type ServerLogger = (entry: ServerLogEntry) => void;

/** Writes each entry as one JSON line to stderr, where `cairn serve` output is collected. */
export const stderrLogger: ServerLogger = (entry) => {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
};

/** The loggable facts of a thrown value: a stable code where it has one, and its stack. */
export function describeError(error: unknown): ServerLogEntry['error'] {
  if (!(error instanceof Error)) return { code: 'internal', name: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return {
    code: typeof code === 'string' ? code : 'internal',
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(cause ? { cause } : {}),
  };
}
