import { redactPii } from './redact-pii.ts';

/**
 * Fields that address something (a document, chunk, trace or stored version) rather than say
 * something; {@link redactResult} keeps them verbatim so links and lookups still resolve.
 */
export const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'docId',
  'docIds',
  'chunkId',
  'parentId',
  'matchedChunkId',
  'traceId',
  'contentHash',
]);

/**
 * A copy of `value` with personal data and secrets replaced by typed placeholders in every string
 * it holds, at any depth (answer, citations, passages, conflicts, metadata, search results),
 * except the fields named in {@link IDENTIFIER_FIELDS}. Whatever returns a result to a client
 * with answer redaction on passes it through this one function, so no field is forgotten.
 */
export function redactResult<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactPii(value).text;
  if (Array.isArray(value)) return value.map(redactValue);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      IDENTIFIER_FIELDS.has(key) ? field : redactValue(field),
    ]),
  );
}

// Typed arrays, dates and class instances hold no free text a client reads: left as they are.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
