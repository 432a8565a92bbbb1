import { findCardNumbers } from './find-cards.ts';
import { findEmailAddresses } from './find-email-addresses.ts';
import { findIbans } from './find-ibans.ts';
import { findIpAddresses } from './find-ip-addresses.ts';
import { findNationalIds } from './find-national-ids.ts';
import { findPhoneNumbers } from './find-phone-numbers.ts';
import { findSecrets } from './find-secrets.ts';
import type { PiiRange } from './pii-context.ts';

export { ibanChecksumOk, luhnOk } from './pii-checksums.ts';

/** Kinds of personal or secret data the detectors find. */
export type PiiType = 'email' | 'phone' | 'credit_card' | 'iban' | 'national_id' | 'ip_address' | 'secret';

/** Every type, in the order overlapping matches are preferred. */
export const PII_TYPES: readonly PiiType[] = [
  'secret',
  'email',
  'iban',
  'credit_card',
  'national_id',
  'ip_address',
  'phone',
];

/** One detected span of `text`: `[start, end)` in UTF-16 code units. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
  text: string;
}

const FINDERS: Record<PiiType, (text: string) => PiiRange[]> = {
  secret: findSecrets,
  email: findEmailAddresses,
  iban: findIbans,
  credit_card: findCardNumbers,
  national_id: findNationalIds,
  ip_address: findIpAddresses,
  phone: findPhoneNumbers,
};

/**
 * Finds personal data and secrets in text: phones parsed by libphonenumber-js, cards by Luhn and
 * issuer prefix, IBANs by country length and mod-97, addresses by `node:net`, secrets by vendor
 * prefix, JWT header and key-value context. Dates, times, versions and numbers labelled as orders
 * or other identifiers are never reported. Overlaps keep the earlier type of {@link PII_TYPES}.
 */
export function detectPii(text: string, types: readonly PiiType[] = PII_TYPES): PiiSpan[] {
  // Kept sorted by start and free of overlaps, so each new span is checked against two neighbours.
  const found: PiiSpan[] = [];
  for (const type of PII_TYPES) {
    if (!types.includes(type)) continue;
    for (const { start, end } of FINDERS[type](text)) {
      const at = firstEndingAfter(found, start);
      if (at < found.length && (found[at] as PiiSpan).start < end) continue;
      found.splice(at, 0, { type, start, end, text: text.slice(start, end) });
    }
  }
  return found;
}

/** Index of the first span whose end is after `start` (spans sorted and disjoint). */
function firstEndingAfter(spans: readonly PiiSpan[], start: number): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((spans[middle] as PiiSpan).end <= start) low = middle + 1;
    else high = middle;
  }
  return low;
}
