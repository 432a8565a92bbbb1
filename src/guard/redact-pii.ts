import { detectPii, PII_TYPES, type PiiType } from './detect-pii.ts';

/** Placeholder written in place of each type. */
export const PII_PLACEHOLDERS: Record<PiiType, string> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  credit_card: '[CARD]',
  iban: '[IBAN]',
  national_id: '[NATIONAL_ID]',
  ip_address: '[IP]',
  secret: '[SECRET]',
};

type Redaction = { text: string; redacted: Partial<Record<PiiType, number>> };

// Answers carry the same passages request after request, and every result is redacted on its
// way out: a bounded memo of the longer texts (oldest dropped first) saves scanning them again.
const MEMO_MIN_LENGTH = 200;
const MEMO_LIMIT = 4096;
const memo = new Map<string, Redaction>();

/** Replaces detected spans with typed placeholders and counts what was removed, per type. */
export function redactPii(text: string, types: readonly PiiType[] = PII_TYPES): Redaction {
  const memoised = types === PII_TYPES && text.length >= MEMO_MIN_LENGTH;
  const known = memoised ? memo.get(text) : undefined;
  if (known) return { text: known.text, redacted: { ...known.redacted } };
  const result = redact(text, types);
  if (memoised) {
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    memo.set(text, { text: result.text, redacted: { ...result.redacted } });
  }
  return result;
}

function redact(text: string, types: readonly PiiType[]): Redaction {
  const spans = detectPii(text, types);
  if (spans.length === 0) return { text, redacted: {} };
  const redacted: Partial<Record<PiiType, number>> = {};
  let output = '';
  let cursor = 0;
  for (const span of spans) {
    output += text.slice(cursor, span.start) + PII_PLACEHOLDERS[span.type];
    cursor = span.end;
    redacted[span.type] = (redacted[span.type] ?? 0) + 1;
  }
  return { text: output + text.slice(cursor), redacted };
}
