import type { Block, CairnDocument } from '../spec/index.ts';

/** Consecutive content blocks under the same headings. */
export interface Section {
  headingsPath: string[];
  blocks: Block[];
}

/**
 * Groups a document's blocks into sections: a section ends at every heading and wherever the
 * heading path changes. Headings are not body text, except a heading with nothing under it (not
 * even subsections), which becomes a section of its own so its text is not lost. A document
 * without usable blocks is split into paragraphs at blank lines.
 */
export function splitSections(document: CairnDocument): Section[] {
  const blocks = document.blocks.filter((block) => block.text.trim() !== '');
  if (blocks.length === 0) return paragraphSections(document.text);

  const headingHasContent = markHeadingsWithContent(blocks);
  const sections: Section[] = [];
  let current: (Section & { key: string }) | undefined;
  blocks.forEach((block, index) => {
    if (block.kind === 'heading') {
      current = undefined;
      if (!headingHasContent[index]) {
        sections.push({ headingsPath: headingSectionPath(block), blocks: [{ ...block, kind: 'paragraph' }] });
      }
      return;
    }
    const key = block.headingsPath.join('\u0000');
    if (current === undefined || current.key !== key) {
      current = { key, headingsPath: block.headingsPath, blocks: [] };
      sections.push(current);
    }
    current.blocks.push(block);
  });
  return sections.map(({ headingsPath, blocks }) => ({ headingsPath, blocks }));
}

/** For each block index, whether a heading has content below it before a heading of its level or higher. */
function markHeadingsWithContent(blocks: readonly Block[]): boolean[] {
  const marks = blocks.map(() => false);
  const open: { index: number; level: number }[] = [];
  blocks.forEach((block, index) => {
    if (block.kind === 'heading') {
      // A heading without a level is treated as top-level: it closes everything open.
      const level = block.level ?? 1;
      while (open.length > 0 && open[open.length - 1]!.level >= level) open.pop();
      open.push({ index, level });
      return;
    }
    for (const heading of open) marks[heading.index] = true;
    open.length = 0;
  });
  return marks;
}

/** The headings path of a heading's own section: its enclosing headings plus itself. */
export function headingSectionPath(heading: Block): string[] {
  const title = heading.text.trim();
  const path = heading.headingsPath;
  return path[path.length - 1] === title ? [...path] : [...path, title];
}

function paragraphSections(text: string): Section[] {
  const blocks: Block[] = text
    .split(/\n[ \t]*\r?\n/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => ({ kind: 'paragraph', text: paragraph, headingsPath: [] }));
  return blocks.length === 0 ? [] : [{ headingsPath: [], blocks }];
}
