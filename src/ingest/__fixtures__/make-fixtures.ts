import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A fresh temporary directory, removed when the calling test file finishes. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (relative path -> content) under `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A PDF with one page per entry, each page drawing its lines top to bottom in Helvetica. */
export async function makePdf(pages: string[][], options: { title?: string } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage();
    lines.forEach((line, index) => {
      page.drawText(line, { x: 50, y: 700 - index * 16, size: 12, font });
    });
  }
  if (options.title !== undefined) pdf.setTitle(options.title);
  return pdf.save();
}

/** One paragraph of a generated DOCX: plain text, or text in a Word heading style. */
export type DocxParagraph = string | { title: string } | { heading: 1 | 2 | 3; text: string };

const HEADING_STYLES = {
  1: HeadingLevel.HEADING_1,
  2: HeadingLevel.HEADING_2,
  3: HeadingLevel.HEADING_3,
} as const;

/** A DOCX built with the `docx` package from the given paragraphs. */
export async function makeDocx(paragraphs: DocxParagraph[]): Promise<Uint8Array> {
  const children = paragraphs.map((paragraph) => {
    if (typeof paragraph === 'string') return new Paragraph(paragraph);
    if ('title' in paragraph) return new Paragraph({ text: paragraph.title, heading: HeadingLevel.TITLE });
    return new Paragraph({ text: paragraph.text, heading: HEADING_STYLES[paragraph.heading] });
  });
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
