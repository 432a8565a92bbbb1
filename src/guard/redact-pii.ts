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

/** Replaces detected spans with typed placeholders and counts what was removed, per type. */
export function redactPii(
  text: string,
  types: readonly PiiType[] = PII_TYPES,
): { text: string; redacted: Partial<Record<PiiType, number>> } {
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
