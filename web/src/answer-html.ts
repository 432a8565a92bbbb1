import DOMPurify from 'dompurify';
import { marked } from 'marked';
import type { Citation } from './api.ts';

/** A citation chip in rendered answer HTML: `data-chip` indexes this list. */
export interface Chip {
  citation: Citation;
  /** The sentence the chip ends, for highlighting the quoted words in the passage. */
  sentence: string;
}

const MARKER = /\[(\d{1,3})\]/g;
// Letters only, so Markdown leaves it alone wherever it lands.
const placeholder = (index: number) => `CAIRNCHIP${index}X`;
const PLACEHOLDER = /CAIRNCHIP(\d+)X/g;

/**
 * Moves citation markers that sit just before a sentence's closing punctuation to after it:
 * "kept for 30 days [1]." reads "kept for 30 days. [1]".
 */
export function chipsAfterPunctuation(text: string): string {
  return text.replace(
    /((?:\s*\[\d{1,3}\])+)([.!?])/g,
    (_, markers: string, stop: string) => `${stop} ${markers.trim()}`,
  );
}

/**
 * The answer as sanitised HTML: Markdown rendered (code, lists, emphasis), every `[n]` that
 * matches a citation turned into a chip button, and anything that could run script (raw tags,
 * event handlers, `javascript:` links) removed by DOMPurify after rendering.
 */
export function answerHtml(answer: string, citations: Citation[]): { html: string; chips: Chip[] } {
  const text = chipsAfterPunctuation(answer);
  const chips: Chip[] = [];
  const marked_ = text.replace(MARKER, (marker: string, n: string, offset: number) => {
    const citation = citations.find((candidate) => candidate.n === Number(n));
    if (!citation) return marker;
    const before = text.slice(0, offset).replace(/(\s*\[\d{1,3}\])*\s*$/, '');
    const sentence = before.split(/(?<=[.!?])\s+/).at(-1) ?? '';
    chips.push({ citation, sentence });
    return placeholder(chips.length - 1);
  });
  const rendered = marked.parse(marked_, { async: false, gfm: true, breaks: true });
  const withChips = rendered.replace(PLACEHOLDER, (_, index: string) => {
    const chip = chips[Number(index)];
    if (!chip) return '';
    const label = escapeAttribute(`Source ${chip.citation.n}: ${chip.citation.title}`);
    return `<button type="button" class="cite" data-chip="${index}" aria-label="${label}">${chip.citation.n}</button>`;
  });
  return { html: DOMPurify.sanitize(withChips, { USE_PROFILES: { html: true } }), chips };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
