/** How a view of the text was obtained; anything but `plain` means the text was disguised. */
export type ViewKind =
  | 'plain'
  | 'normalized'
  | 'hidden-tags'
  | 'base64'
  | 'hex'
  | 'percent'
  | 'rot13'
  | 'reversed'
  | 'letter-spaced';

/** One reading of a text, lower-cased, for the injection rules to scan. */
export interface TextView {
  kind: ViewKind;
  text: string;
}

// Letters from other scripts that look like Latin ones; attackers swap them in to dodge filters.
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  ӏ: 'l',
  α: 'a',
  ε: 'e',
  ι: 'i',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  κ: 'k',
};
const HOMOGLYPH_PATTERN = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');
// Zero-width and formatting characters that render as nothing.
const INVISIBLE = /\u034f|[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
// Unicode "tag" characters mirror ASCII invisibly (U+E0020-U+E007E).
const TAG_CHARACTERS = /[\u{e0000}-\u{e007f}]/gu;
const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}){8,}\b/g;
const PERCENT_ESCAPE = /%[0-9a-fA-F]{2}/g;

/**
 * Readings of a text under the disguises prompt-injection payloads use: Unicode look-alikes and
 * invisible characters, hidden tag characters, base64, hex, percent-encoding, rot13, reversal and
 * letter spacing. Decoded views are kept only when they decode to mostly printable text.
 */
export function decodeViews(text: string): TextView[] {
  const plain = text.toLowerCase();
  const views: TextView[] = [{ kind: 'plain', text: plain }];
  const normalized = normalizeText(text);
  if (normalized !== plain.replace(TAG_CHARACTERS, '')) views.push({ kind: 'normalized', text: normalized });

  const tags = [...text.matchAll(TAG_CHARACTERS)].map((match) => (match[0].codePointAt(0) ?? 0) - 0xe0000);
  const hidden = String.fromCharCode(...tags.filter((code) => code >= 0x20 && code <= 0x7e));
  if (hidden.length >= 4) views.push({ kind: 'hidden-tags', text: hidden.toLowerCase() });

  for (const match of text.matchAll(BASE64_RUN)) {
    const decoded = decodePrintable(Buffer.from(match[0], 'base64'));
    if (decoded) views.push({ kind: 'base64', text: decoded });
  }
  for (const match of text.matchAll(HEX_RUN)) {
    const decoded = decodePrintable(Buffer.from(match[0], 'hex'));
    if (decoded) views.push({ kind: 'hex', text: decoded });
  }
  if ((text.match(PERCENT_ESCAPE) ?? []).length >= 6) {
    const decoded = safeDecodeUri(text);
    if (decoded) views.push({ kind: 'percent', text: normalizeText(decoded) });
  }
  views.push({ kind: 'rot13', text: rot13(normalized) });
  views.push({ kind: 'reversed', text: [...normalized].reverse().join('') });
  const unspaced = collapseLetterSpacing(normalized);
  if (unspaced !== normalized) views.push({ kind: 'letter-spaced', text: unspaced });
  return views;
}

/** NFKC, invisible characters removed, look-alike letters folded to Latin, lower case. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(TAG_CHARACTERS, '')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(HOMOGLYPH_PATTERN, (letter) => HOMOGLYPHS[letter] ?? letter);
}

function decodePrintable(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const text = bytes.toString('utf8');
  const printable = [...text].filter((c) => /[\x20-\x7e\n\t]/.test(c)).length;
  return printable / text.length >= 0.9 ? text.toLowerCase() : undefined;
}

function safeDecodeUri(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function rot13(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
}

/** `i g n o r e  a l l` -> `ignore all`: runs of four or more single letters become words. */
export function collapseLetterSpacing(text: string): string {
  return text.replace(/(?:\b\w\b {1,2}){3,}\b\w\b/g, (run) =>
    run
      .split(/ {2}/)
      .map((word) => word.replace(/ /g, ''))
      .join(' '),
  );
}
