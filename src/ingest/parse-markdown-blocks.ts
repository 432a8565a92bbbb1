import type { Block } from '../spec/index.ts';
import { HeadingPath } from './heading-path.ts';

const HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$/;
const HEADING_CLOSING_HASHES = /(?:^|[ \t]+)#+[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
// Only these list starts may interrupt a paragraph, so a wrapped line like "2019. was..." stays text.
const LIST_INTERRUPT = /^ {0,3}(?:[-*+]|1[.)])[ \t]+\S/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const INDENTED = /^(?: {2,}|\t)/;

/**
 * Splits markdown (without front matter) into blocks: ATX headings, paragraphs, fenced code kept
 * whole with its fences, lists and pipe tables. Each block carries the headings above it.
 */
export function parseMarkdownBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const headings = new HeadingPath();
  const blocks: Block[] = [];
  const add = (kind: Block['kind'], start: number, end: number) => {
    const text = lines.slice(start, end).join('\n').trimEnd();
    if (text.trim() !== '') blocks.push({ kind, text, headingsPath: headings.current() });
  };

  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    if (isBlank(line) || THEMATIC_BREAK.test(line)) {
      index++;
      continue;
    }
    const heading = HEADING.exec(line);
    let end = index + 1;
    if (heading !== null) {
      const level = heading[1]?.length ?? 1;
      const text = headingText(heading[2] ?? '');
      if (text !== '')
        blocks.push({ kind: 'heading', text, level, headingsPath: headings.enter(level, text) });
    } else if (FENCE_OPEN.test(line)) {
      end = fenceEnd(lines, index);
      add('code', index, end);
    } else if (LIST_ITEM.test(line)) {
      end = listEnd(lines, index);
      add('list', index, end);
    } else if (isTableStart(lines, index)) {
      end = tableEnd(lines, index);
      add('table', index, end);
    } else {
      end = paragraphEnd(lines, index);
      add('paragraph', index, end);
    }
    index = end;
  }
  return blocks;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Heading text without closing hashes or inline markup, as it should read in a headings path. */
function headingText(raw: string): string {
  return raw
    .replace(HEADING_CLOSING_HASHES, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .trim();
}

function fenceEnd(lines: string[], start: number): number {
  const opening = FENCE_OPEN.exec(lines[start] ?? '')?.[1] ?? '```';
  for (let index = start + 1; index < lines.length; index++) {
    const closing = FENCE_CLOSE.exec(lines[index] ?? '')?.[1];
    if (closing !== undefined && closing[0] === opening[0] && closing.length >= opening.length)
      return index + 1;
  }
  // An unclosed fence runs to the end of the document, as in CommonMark.
  return lines.length;
}

// A list runs across blank lines while the next text is another item or indented continuation.
function listEnd(lines: string[], start: number): number {
  let index = start + 1;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    if (isBlank(line)) {
      let next = index + 1;
      while (next < lines.length && isBlank(lines[next] ?? '')) next++;
      const following = lines[next];
      if (following === undefined || !(LIST_ITEM.test(following) || INDENTED.test(following))) return index;
      index = next;
      continue;
    }
    const topLevel = !/^\s/.test(line);
    if (topLevel && (HEADING.test(line) || FENCE_OPEN.test(line) || THEMATIC_BREAK.test(line))) return index;
    index++;
  }
  return index;
}

function isTableStart(lines: string[], index: number): boolean {
  const header = lines[index] ?? '';
  const delimiter = lines[index + 1] ?? '';
  return header.includes('|') && delimiter.includes('|') && TABLE_DELIMITER.test(delimiter);
}

function tableEnd(lines: string[], start: number): number {
  let index = start + 2;
  while (index < lines.length && !isBlank(lines[index] ?? '') && (lines[index] ?? '').includes('|')) index++;
  return index;
}

function paragraphEnd(lines: string[], start: number): number {
  let index = start + 1;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    if (
      isBlank(line) ||
      HEADING.test(line) ||
      FENCE_OPEN.test(line) ||
      THEMATIC_BREAK.test(line) ||
      LIST_INTERRUPT.test(line) ||
      isTableStart(lines, index)
    ) {
      return index;
    }
    index++;
  }
  return index;
}
