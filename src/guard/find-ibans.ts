import { ibanChecksumOk } from './pii-checksums.ts';
import type { PiiRange } from './pii-context.ts';

// IBAN length per country, from the SWIFT IBAN registry: a length check on top of mod-97 keeps
// random letter-digit codes out (mod-97 alone passes one in 97).
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 ' +
    'DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 ' +
    'IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 ' +
    'MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 ' +
    'SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30'
  )
    .split(' ')
    .map((entry): [string, number] => [entry.slice(0, 2), Number(entry.slice(2))]),
);

// Written compact, or in groups of four (the last one shorter) split by spaces or hyphens, in any
// case. Each group has a fixed width, so a run can be split one way only.
const CANDIDATE =
  /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?:[ -][A-Za-z0-9]{4}){2,7}(?:[ -][A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])/g;

function ibanOk(candidate: string): boolean {
  const compact = candidate.replace(/[ -]/g, '');
  // Mixed case inside one code is a word, not an IBAN typed in lower case.
  if (compact !== compact.toUpperCase() && compact !== compact.toLowerCase()) return false;
  return IBAN_LENGTHS.get(compact.slice(0, 2).toUpperCase()) === compact.length && ibanChecksumOk(compact);
}

/**
 * Finds IBANs in any case, compact or grouped by spaces or hyphens, that have their country's
 * length and pass mod-97. A grouped run that swallowed a following word ("… 7654 32 then") is
 * shortened group by group until it checks.
 */
export function findIbans(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    let candidate = match[0];
    while (candidate.length >= 15 && !ibanOk(candidate)) {
      const lastSeparator = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'));
      if (lastSeparator < 0) break;
      candidate = candidate.slice(0, lastSeparator);
    }
    if (ibanOk(candidate)) found.push({ start: match.index, end: match.index + candidate.length });
  }
  return found;
}
