import type { TraceParent } from '../spec/index.ts';

// version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex (W3C Trace Context level 1).
// A later version may append fields after the flags, so only version 00 must end there.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

/**
 * Reads a W3C `traceparent` header. Returns undefined for a missing or invalid one (bad length or
 * case, version ff, all-zero ids, extra fields on version 00), which the request then ignores.
 */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  const match = TRACEPARENT.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
