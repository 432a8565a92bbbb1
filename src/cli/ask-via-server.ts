import type { AskResult, Citation } from '../engine/ask.ts';
import { readLocalAccess } from '../server/local-access.ts';
import { CairnError, type CairnErrorCode } from '../spec/index.ts';

/** What `cairn ask` sends to `POST /v1/ask`. */
export interface ServerQuestion {
  question: string;
  k: number;
  includeQuarantined: boolean;
  noCache: boolean;
}

/** Options of {@link askViaServer}. */
export interface AskViaServerOptions {
  /** The SQLite index file asked, whose `<index>.server.json` names the server holding it. */
  indexFile: string;
  namespace: string;
  /** This command's `servingFingerprint`; the server must run the same. */
  fingerprint: string;
  request: ServerQuestion;
  /** Write the answer to `stdout` as it arrives (the terminal view), as the local path does. */
  stream: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The answer, or why the command must answer locally instead. */
export type ServerAnswer = { result: AskResult; url: string } | { declined: string };

/** The server's limit on `k` (its request schema). */
const MAX_SERVER_K = 20;
/** A server whose process exists but does not answer its health check within this is passed over. */
const HEALTH_TIMEOUT_MS = 2000;

/**
 * Asks the `cairn serve` process that holds the index, when there is one this command may use:
 * same user, same index, same namespace and the same serving settings. The result is shaped as
 * the local path's (passages only those the server returns on abstention), and a streamed answer
 * is written as the local path writes it. Declines, before writing anything, when the server is
 * missing, unreachable or refuses the request; a failure after the answer has started streaming
 * is thrown as the error the server reported.
 */
export async function askViaServer(options: AskViaServerOptions): Promise<ServerAnswer> {
  const access = readLocalAccess(options.indexFile);
  if (!access) return { declined: 'no running cairn serve holds this index' };
  if (access.tenant !== options.namespace)
    return { declined: `the server answers in namespace "${access.tenant}", not "${options.namespace}"` };
  if (access.fingerprint !== options.fingerprint)
    return {
      declined: `the server runs other settings (fingerprint ${access.fingerprint}, here ${options.fingerprint})`,
    };
  if (options.request.k > MAX_SERVER_K) return { declined: `the server takes at most k ${MAX_SERVER_K}` };
  try {
    const health = await fetch(`${access.url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    if (!health.ok) return { declined: `${access.url}/healthz answered ${health.status}` };
  } catch (error) {
    return { declined: `${access.url} is unreachable (${describe(error)})` };
  }
  let response: Response;
  try {
    response = await fetch(`${access.url}/v1/ask`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access.token}`,
        'content-type': 'application/json',
        ...(options.stream ? { accept: 'text/event-stream' } : {}),
      },
      body: JSON.stringify({ ...options.request, stream: options.stream }),
    });
  } catch (error) {
    return { declined: `${access.url} is unreachable (${describe(error)})` };
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    return { declined: `the server refused: ${response.status} ${body?.error?.message ?? ''}`.trim() };
  }
  // As the local path warns before answering: the tenant's daily budget is nearly spent.
  const warning = response.headers.get('x-cairn-budget-warning');
  if (warning) options.stderr.write(`cairn: warning: ${warning}\n`);
  if (!options.stream) {
    const { closestPassages, budget: _budget, ...answer } = (await response.json()) as ServedAnswer;
    return { result: { ...answer, passages: closestPassages ?? [] } as AskResult, url: access.url };
  }
  const result = await readStreamedAnswer(response, options.stdout);
  return 'declined' in result ? result : { result: result.answer, url: access.url };
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** The JSON answer of `/v1/ask`: the result without passages, with the closest ones on abstention. */
type ServedAnswer = Omit<AskResult, 'passages'> & {
  closestPassages?: AskResult['passages'];
  budget?: unknown;
};

/** Reads the `/v1/ask` event stream, writing tokens (and retries) as `cairn ask` writes them. */
async function readStreamedAnswer(
  response: Response,
  stdout: NodeJS.WritableStream,
): Promise<{ answer: AskResult } | { declined: string }> {
  const citations: Citation[] = [];
  let wrote = false;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  try {
    for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
      buffer += decoder.decode(read.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const { event, data } = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event === 'token') {
          stdout.write((JSON.parse(data) as { text: string }).text);
          wrote = true;
        } else if (event === 'reset') {
          const { reason } = JSON.parse(data) as { reason: string };
          stdout.write(`\n[discarded: ${reason}; answering again]\n`);
          wrote = true;
        } else if (event === 'citation') {
          citations.push(JSON.parse(data) as Citation);
        } else if (event === 'done') {
          const { closestPassages, budget: _budget, ...answer } = JSON.parse(data) as ServedAnswer;
          return { answer: { ...answer, citations, passages: closestPassages ?? [] } as AskResult };
        } else if (event === 'error') {
          const { error } = JSON.parse(data) as ErrorBody;
          throw new CairnError(
            (error?.code ?? 'internal') as CairnErrorCode,
            error?.message ?? 'the server failed to answer',
          );
        }
      }
    }
  } catch (error) {
    if (CairnError.is(error) || wrote) throw asCairnError(error);
    return { declined: `the server's answer broke off (${describe(error)})` };
  }
  if (wrote) throw new CairnError('internal', 'the server stopped before finishing the answer');
  return { declined: 'the server closed the stream without an answer' };
}

/** One server-sent event's name and data (its `data:` lines joined). */
function parseEvent(block: string): { event: string; data: string } {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
    else if (line.startsWith('data:')) data.push(line.slice('data:'.length).replace(/^ /, ''));
  }
  return { event, data: data.join('\n') };
}

function asCairnError(error: unknown): CairnError {
  return CairnError.is(error)
    ? error
    : new CairnError('internal', `the server's answer broke off: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).message ?? String(error);
}
