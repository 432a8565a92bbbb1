import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterCode, continuesIbanShape, nearestCue, type PiiRange } from './pii-context.ts';

/**
 * Regions tried, in order, for numbers written in national format (no `+` or `00`). The full
 * metadata validates the digits per region; any region that accepts the number is enough.
 */
export const PHONE_REGIONS: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'IN',
  'JP',
  'CA',
  'AU',
  'ES',
  'IT',
  'NL',
  'BE',
  'CH',
  'AT',
  'SE',
  'NO',
  'DK',
  'FI',
  'IE',
  'PT',
  'PL',
  'CZ',
  'HU',
  'GR',
  'BR',
  'MX',
  'ZA',
  'CN',
  'KR',
  'SG',
  'NZ',
];

// One linear scan for digit runs that could be written phone numbers: an optional `+` or `(`,
// 7 to 17 digits, at most two separators between digits, an optional extension. Every repetition
// ends in a digit, so there is one way to split a run and no backtracking blow-up. The
// lookarounds keep the run whole: a run that continues into more digits, letters, colons (times)
// or dots-then-digits (versions, IPs) is not a candidate at all.
const CANDIDATE =
  /(?:(?<![\w@./+#-]|\d:)\+ ?|(?<![\w@./+#-]|\d:|\d[ \u00a0.\-/()]{1,2})\(?)\d(?:[ \u00a0.\-/()]{0,2}\d){6,16}(?:,? ?(?:x|ext\.?|extension) ?\d{1,6})?(?![ \u00a0.\-/()]{0,2}\d|[\w:@]|[.,]\d)/gi;

// Words that label a phone number. Ones that are common outside phone talk ("cell lines",
// "text", "ring") count only in their phone sense: "cell:", "cell phone", "text me", "ring us".
const PHONE_CUE =
  /(?:\b(?:phone|ph|tel(?:ephone)?|mobile|mob|cell ?phone|cell(?=\s?[:#])|fax|call(?:ed|ing)?|(?:ring|text)(?= (?:me|us|him|her|them)\b)|sms|whats ?app|contact|reach(?:ed)?|dial(?:led)?|desk|office|landline|hotline|helpline|answering|messages?|registered|t[ée]l[ée]phone|telefon(?:nummer)?|handy|rufnummer|portable|tel[ée]fono|m[óo]vil|celular)\b|電話)/gi;

const LABEL_AFTER = /^\s?[-–,(]?\s?(?:office|fax|mobile|cell|home|work|desk|tel|phone)\b/i;
const UNIT_AFTER =
  /^\s?(?:ms|s|sec|seconds|kb|mb|gb|tb|bytes?|rows|km|kg|m|users|people|patients|participants|cases|times|votes|%)\b/i;
// "17031 2202 Rissik St": house numbers and the street that follows them.
const STREET_AFTER =
  /^\s(?:[A-Z][\w'-]*\s){0,3}(?:St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|Lane|Ln|Dr|Drive|Way|Apt|Suite|Strasse|Straße|Rue)\b/;
const CURRENCY_BEFORE = /(?:[$€£¥₹]|\b(?:usd|eur|gbp|chf|jpy|inr))\s?$/i;
const DATE_SHAPE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$)/;
// 3-2-4 with dashes is how US social security numbers are written, valid or not.
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;
const YEAR_RANGE = /^(?:1[5-9]|20)\d\d ?[-–/] ?(?:1[5-9]|20)\d\d$/;
const EXTENSION = /,? ?(?:x|ext\.?|extension) ?\d{1,6}$/i;
const INTERNATIONAL_PREFIX = /^(?:\+|00)\d{1,3}[ .-]?/;

// Parses one text may spend on metadata (each costs tens of microseconds, and a national number
// can take one per region). Past it, a text packed with phone-shaped numbers is judged by shape
// and label alone, which errs toward redacting, so that the cost stays linear and small.
const PARSE_BUDGET = 2000;

/** What the metadata says of a number: valid somewhere, only possible, neither, or not checked. */
type Validity = 'valid' | 'possible' | 'invalid' | 'unchecked';

/**
 * Finds phone numbers: candidates from one linear scan, then parsed and validated by
 * libphonenumber-js (full metadata). International numbers (`+`, `00`) must be valid for their
 * country, or possible when written with `+` or labelled. National numbers must be valid in one
 * of {@link PHONE_REGIONS} and written like a phone (grouped, with a trunk `0`, parentheses or
 * three groups), or carry a phone label ("Phone:", "call me on", "… fax"). Dates, year ranges,
 * times, decimals, amounts, counts with thousands separators, house numbers and numbers labelled
 * as orders, versions or other identifiers are never phones.
 */
export function findPhoneNumbers(text: string): PiiRange[] {
  const found: PiiRange[] = [];
  const metadata = new PhoneMetadata();
  for (const match of text.matchAll(CANDIDATE)) {
    // "(1977-2007": a parenthesis that opens a remark, not an area code.
    const unmatched = match[0].startsWith('(') && !match[0].includes(')') ? 1 : 0;
    const start = match.index + unmatched;
    const end = match.index + match[0].length;
    if (isPhone(text, match[0].slice(unmatched), start, end, metadata)) found.push({ start, end });
  }
  return found;
}

function isPhone(
  text: string,
  candidate: string,
  start: number,
  end: number,
  metadata: PhoneMetadata,
): boolean {
  const number = candidate.replace(EXTENSION, '');
  if (!writtenLikePhone(number)) return false;
  const after = text.slice(end, end + 40);
  if (UNIT_AFTER.test(after) || STREET_AFTER.test(after)) return false;
  if (CURRENCY_BEFORE.test(text.slice(Math.max(0, start - 5), start))) return false;
  const cue = nearestCue(text, start, PHONE_CUE);
  if (cue === 'identifier') return false;
  const labelled = cue === 'wanted' || LABEL_AFTER.test(after);
  if (continuesIbanShape(text, start) || (!labelled && afterCode(text, start, PHONE_CUE))) return false;

  if (number.startsWith('+') || number.startsWith('00')) {
    const validity = metadata.check(number.replace(/^00/, '+'));
    if (validity === 'valid') return true;
    const possible = validity === 'possible' || validity === 'unchecked';
    return possible && (labelled || number.startsWith('+'));
  }
  if (!labelled && !nationalShapeUnlabelled(number)) return false;
  const validity = metadata.check(number);
  return validity === 'valid' || validity === 'unchecked' || (labelled && validity === 'possible');
}

/** libphonenumber-js lookups for one text, remembered per number and capped at {@link PARSE_BUDGET}. */
class PhoneMetadata {
  private parses = 0;
  private readonly seen = new Map<string, Validity>();

  /** International numbers (leading `+`) against their own country, national ones against each region. */
  check(number: string): Validity {
    const key = number.replace(/[^\d+]/g, '');
    const known = this.seen.get(key);
    if (known) return known;
    const validity = this.lookUp(number);
    this.seen.set(key, validity);
    return validity;
  }

  private lookUp(number: string): Validity {
    const regions: readonly (CountryCode | undefined)[] = number.startsWith('+')
      ? [undefined]
      : PHONE_REGIONS;
    let validity: Validity = 'invalid';
    for (const region of regions) {
      if (this.parses >= PARSE_BUDGET) return validity === 'possible' ? 'possible' : 'unchecked';
      this.parses += 1;
      const parsed = parsePhoneNumberFromString(number, region);
      if (parsed?.isValid()) return 'valid';
      if (parsed?.isPossible()) validity = 'possible';
    }
    return validity;
  }
}

/** Shape checks that need no metadata: digit count, dates, balanced parentheses, one separator style. */
function writtenLikePhone(number: string): boolean {
  const digits = number.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  if (DATE_SHAPE.test(number) || YEAR_RANGE.test(number) || SSN_SHAPE.test(number)) return false;
  // At most one pair of parentheses, around an area code or a trunk "(0)".
  const parentheses = number.replace(/[^()]/g, '');
  if (parentheses !== '' && (parentheses !== '()' || !/\(\d{1,5}\)/.test(number))) return false;
  // Dots are a phone's separator only when they are its only one: "237.17-394.4" is two decimals.
  const national = number.replace(INTERNATIONAL_PREFIX, '');
  if (national.includes('.') && /[ \u00a0\-/()]/.test(national)) return false;
  if ((national.match(/\//g) ?? []).length > 1) return false;
  return true;
}

/** Shapes a national number needs when no phone word labels it. */
function nationalShapeUnlabelled(number: string): boolean {
  const groups = number.split(/[ \u00a0.\-/()]+/).filter(Boolean);
  // "07497525655": written without groups, a number needs a trunk 0 and a full national length.
  if (groups.length < 2) return /^0\d{9,10}$/.test(number);
  // "2 901 019", "12.345.678": a count with thousands separators.
  if (groups.slice(1).every((group) => group.length === 3) && (groups[0] as string).length <= 3) return false;
  // "1.24.30.12": a dotted run that starts with one digit is a version or a section number.
  if (/^\d\./.test(number)) return false;
  // "5353-10 649", "11 256/20 849": spaces mixed with dashes or slashes are ranges and ratios of
  // counts more often than phones; "(702) 392-8345" keeps its area code apart.
  const afterAreaCode = number.replace(/^\(\d{1,5}\) ?/, '');
  if (/[ \u00a0]/.test(afterAreaCode) && /[-/]/.test(afterAreaCode)) return false;
  return /^[0(]/.test(number) || groups.length >= 3;
}
