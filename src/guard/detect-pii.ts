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

interface Detector {
  type: PiiType;
  pattern: RegExp;
  /** Checks a candidate beyond its shape (checksums, ranges); absent means the shape suffices. */
  valid?: (match: string) => boolean;
}

const DETECTORS: Detector[] = [
  {
    type: 'secret',
    // Vendor prefixes (OpenAI, GitHub, AWS, Slack, Stripe, cairn) and PEM private keys.
    pattern:
      /\b(?:sk-(?:proj-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,}|(?:sk|rk)_live_[A-Za-z0-9]{20,}|cairn_[0-9a-f]{12}_[A-Za-z0-9_-]{20,})|-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
  },
  {
    type: 'secret',
    // Long high-entropy tokens after a key-like word: "api_key=…", "token: …".
    pattern: /(?<=\b(?:api[_-]?key|secret|token|password|passwd)\s*[:=]\s*["']?)[A-Za-z0-9_\-+/=]{16,}/gi,
    valid: (match) => /[A-Za-z]/.test(match) && /\d/.test(match),
  },
  { type: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  {
    type: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g,
    valid: (match) => ibanChecksumOk(match),
  },
  {
    type: 'credit_card',
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    valid: (match) => luhnOk(match.replace(/\D/g, '')),
  },
  {
    type: 'national_id',
    // US social security numbers: area not 000, 666 or 9xx; group not 00; serial not 0000.
    pattern: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g,
  },
  {
    type: 'ip_address',
    pattern: /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b/g,
    valid: (match) =>
      !match.includes('.') || match.split('.').every((octet) => Number(octet) <= 255 && !/^0\d/.test(octet)),
  },
  {
    type: 'phone',
    // International (+ and 8-15 digits) or grouped national numbers; at least 9 digits either way.
    pattern:
      /(?<![\w.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?\d{2,4}(?:[ .-]\d{2,4}){1,3}|\d{2,4}(?:[ .-]\d{2,4}){2,4})(?!\w|\.\d)/g,
    valid: (match) => {
      const digits = match.replace(/\D/g, '').length;
      // Three or more groups of exactly four digits is how cards and IBANs are written, not phones.
      const fourDigitGroups = match.split(/[^\d]+/).filter((group) => group.length === 4).length;
      // Dotted quads are IPs or versions, 3-2-4 with dashes is the SSN shape: neither is a phone.
      const otherShape = /^\d{1,3}(?:\.\d{1,3}){3}$|^\d{3}-\d{2}-\d{4}$/.test(match);
      return digits >= 9 && digits <= 15 && fourDigitGroups < 3 && !otherShape;
    },
  },
];

/**
 * Finds personal data and secrets in text. Shapes are checked further where a checksum or range
 * exists (Luhn for cards, mod-97 for IBANs, octet ranges for IPv4, SSN exclusions), which keeps
 * order numbers and version strings out. Overlaps keep the earlier type of {@link PII_TYPES}.
 */
export function detectPii(text: string, types: readonly PiiType[] = PII_TYPES): PiiSpan[] {
  const found: PiiSpan[] = [];
  for (const type of PII_TYPES) {
    if (!types.includes(type)) continue;
    for (const detector of DETECTORS.filter((candidate) => candidate.type === type)) {
      for (const match of text.matchAll(detector.pattern)) {
        const value = match[0];
        if (detector.valid && !detector.valid(value)) continue;
        const start = match.index;
        const end = start + value.length;
        if (found.some((span) => start < span.end && end > span.start)) continue;
        found.push({ type, start, end, text: value });
      }
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Luhn checksum over a digit string (13–19 digits for cards). */
export function luhnOk(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** IBAN check: first four characters moved to the end, letters as 10..35, the number mod 97 is 1. */
export function ibanChecksumOk(iban: string): boolean {
  const compact = iban.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = /\d/.test(character) ? character : String(character.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}
