import { luhnOk } from './pii-checksums.ts';
import { continuesIbanShape, nearestCue, type PiiRange } from './pii-context.ts';

// Card numbers as people write them: compact, in fours split by one kind of separator (space,
// dash or dot), or Amex/Diners 4-6-5 and 4-6-4. The backreference keeps "4111.1111-1111 1111"
// out; fixed group widths leave one way to split a run.
const CANDIDATE =
  /(?<![\w+.,/:-]|\d[ .-])\d{4}(?:([ .-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|[ -]\d{6}[ -]\d{4,5}|\d{8,15})(?![\w]|[.,:-]\d)/g;

const CARD_CUE =
  /\b(?:cards?|credit|debit|cc|visa|master ?card|amex|american express|maestro|discover|jcb|diners|unionpay|kreditkarte|carte|tarjeta|pan)\b/gi;

// Issuer prefixes (ISO/IEC 7812 major industry identifiers 2–6, plus the old JCB 1800 and 2131
// ranges): a Luhn-valid number that starts with 0, 7, 8 or 9 is an account or order number.
const ISSUER = /^(?:[2-6]|1800|2131)/;

/**
 * Finds payment card numbers: 13 to 19 digits (12 for Maestro when a card word precedes them),
 * an issuer prefix, and a valid Luhn check. A number labelled as an order, invoice or other
 * identifier is not a card even when it passes Luhn.
 */
export function findCardNumbers(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const digits = match[0].replace(/\D/g, '');
    if (!ISSUER.test(digits) || !luhnOk(digits)) continue;
    if (continuesIbanShape(text, match.index)) continue;
    const cue = nearestCue(text, match.index, CARD_CUE);
    if (cue === 'identifier' || (digits.length === 12 && cue !== 'wanted')) continue;
    found.push({ start: match.index, end: match.index + match[0].length });
  }
  return found;
}
