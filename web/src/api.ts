/** Types of the API responses the UI reads (a subset of the server's). */
export interface Citation {
  n: number;
  docId: string;
  chunkId: string;
  source: string;
  title: string;
  text: string;
  metadata: { headingsPath?: string[]; page?: number };
}

export interface AskDone {
  answer: string;
  abstained: boolean;
  abstainReason?: string;
  timings: Record<'embedMs' | 'retrieveMs' | 'rerankMs' | 'generateMs' | 'guardMs' | 'totalMs', number> & {
    firstTokenMs: number | null;
  };
  usage: { model: string; inputTokens: number; outputTokens: number; costUsd: number | null };
  policy?: {
    decision: 'answered' | 'retried' | 'escalated' | 'fell_back' | 'refused';
    attempts: { answerer: string; violation?: string }[];
    questionInjection?: { action: 'stripped' | 'refused'; category?: string; answered?: string };
  };
  /** Set when the answer was served from the answer cache. */
  cache?: { hit: 'exact' | 'semantic'; similarity: number; cachedQuestion: string };
  traceId: string;
  /** On abstention: the passages that came closest (the server sends up to three). */
  closestPassages?: (Omit<Citation, 'n'> & { n: number; score: number })[];
}

/** Who the key is: `GET /v1/me`. */
export interface KeyIdentity {
  keyId: string;
  tenant: string;
  role: 'reader' | 'writer' | 'admin' | 'operator';
}

/** A rating with the question and answer of its trace: `GET /v1/feedback`. */
export interface FeedbackEntry {
  traceId: string;
  rating: 'up' | 'down';
  comment?: string;
  createdAt: string;
  question: string | null;
  answer: string | null;
}

export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  durationMs: number;
}

export interface StoredDocument {
  id: string;
  source: string;
  title: string;
  format: string;
  chunkCount: number;
  ingestedAt: string;
  /** `collection`: where the document was ingested (`uploads` for files sent to the API). */
  metadata?: { collection?: string };
  quarantined: boolean;
  injection?: { category: string; excerpt: string; rules: string[] };
}

export interface IngestJob {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  files: string[];
  processed: number;
  current: string | null;
  summary: {
    added: number;
    updated: number;
    unchanged: number;
    failed: { path: string; reason: string }[];
    quarantined: { docId: string; source: string; category: string }[];
  } | null;
  error: string | null;
}

/** An API error with the server's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the API with the stored key; throws {@link ApiError} with the server's message. */
export async function api<T>(key: string, path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(
      response.status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? response.statusText,
    );
  }
  return (await response.json()) as T;
}

/** Streams `/v1/ask` as Server-Sent Events, calling back per event. */
export async function streamAsk(
  key: string,
  question: string,
  on: {
    token(text: string): void;
    /** The text streamed so far broke the grounding policy and is being answered again. */
    reset(reason: string): void;
    citation(citation: Citation): void;
    done(done: AskDone): void;
  },
  signal: AbortSignal,
  options: { noCache?: boolean } = {},
): Promise<void> {
  const response = await fetch('/v1/ask', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify({ question, stream: true, ...(options.noCache ? { noCache: true } : {}) }),
    signal,
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(
      response.status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? response.statusText,
    );
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.replace(/^data: ?/, ''))
        .join('\n');
      if (!event || !data) continue;
      const payload = JSON.parse(data) as unknown;
      if (event === 'token') on.token((payload as { text: string }).text);
      else if (event === 'reset') on.reset((payload as { reason: string }).reason);
      else if (event === 'citation') on.citation(payload as Citation);
      else if (event === 'done') on.done(payload as AskDone);
      else if (event === 'error') {
        const error = (payload as { error: { code: string; message: string } }).error;
        throw new ApiError(500, error.code, error.message);
      }
    }
  }
}
