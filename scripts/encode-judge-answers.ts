/**
 * Stores the answers of `corpus/judge-labels-vitest.jsonl` as pieces instead of text: the public
 * Vitest docs are read in place from the shared folder, never copied into the repository, and the
 * pipeline's answers quote them sentence by sentence. Each answer becomes our own glue (citation
 * markers, whitespace, connectives) interleaved with `{ doc, start, end }` spans of the docs files,
 * plus the sha256 of the whole answer, which `loadJudgeLabels` checks when it rebuilds it.
 *
 *   npx tsx scripts/encode-judge-answers.ts [--labels FILE] [--vitest-docs DIR] [--check]
 *
 * Labels that already hold pieces are rebuilt first (from the docs they were encoded against), so
 * the script can be re-run, e.g. after a label is added with a plain `answer`; the output is the
 * same for the same input. `--check` reports the cover without writing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type AnswerPiece, defaultAnswerSources, loadJudgeLabels } from '../src/evaluate/index.ts';

/** Shortest span of a cited page worth storing as an offset; shorter runs (" [1]. ") stay literal. */
const MIN_SPAN = 12;
/**
 * Shortest span of a page the answer does not cite: a shorter run shared with one is a common
 * phrase of ours ("this in the" of the abstention message), not a quote.
 */
const MIN_UNCITED_SPAN = 20;
const CORPUS = 'vitest-docs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    labels: { type: 'string', default: path.join(root, 'corpus', 'judge-labels-vitest.jsonl') },
    'vitest-docs': { type: 'string' },
    check: { type: 'boolean', default: false },
  },
});
const docsDir = values['vitest-docs'] ?? (defaultAnswerSources()[CORPUS] as string);
if (!fs.existsSync(docsDir)) {
  console.error(`no Vitest docs at ${docsDir}: pass --vitest-docs DIR or set CAIRN_SHARED_DIR`);
  process.exit(2);
}

/** Every Markdown file of the docs, by path relative to the docs folder, in a stable order. */
function readDocs(dir: string): Map<string, string> {
  const docs = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of fs
      .readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.md'))
        docs.set(path.relative(dir, file).split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
    }
  };
  walk(dir);
  return docs;
}

interface Span {
  doc: string;
  start: number;
  length: number;
}

/** The longest prefix of `text.slice(from)` found in `doc`, if longer than `atLeast` chars. */
function longestIn(
  doc: string,
  docText: string,
  text: string,
  from: number,
  atLeast: number,
): Span | undefined {
  let length = atLeast + 1;
  if (from + length > text.length) return undefined;
  let start = docText.indexOf(text.slice(from, from + length));
  if (start < 0) return undefined;
  while (from + length < text.length) {
    if (docText[start + length] === text[from + length]) {
      length++;
      continue;
    }
    // Any later occurrence of the longer run also holds the shorter one, so search on from here.
    const next = docText.indexOf(text.slice(from, from + length + 1), start + 1);
    if (next < 0) break;
    start = next;
    length++;
  }
  return { doc, start, length };
}

/**
 * Covers `answer` greedily: at each position, the longest run found in the docs (at least
 * {@link MIN_SPAN} chars of a cited page or {@link MIN_UNCITED_SPAN} of another; the cited pages
 * first, so a tie goes to them) becomes a span; a position with none becomes a literal char.
 */
function encode(answer: string, docs: Map<string, string>, cited: string[]): AnswerPiece[] {
  const order = [...cited, ...[...docs.keys()].filter((doc) => !cited.includes(doc))];
  const pieces: AnswerPiece[] = [];
  let literal = '';
  let at = 0;
  while (at < answer.length) {
    let best: Span | undefined;
    for (const doc of order) {
      const shortest = cited.includes(doc) ? MIN_SPAN : MIN_UNCITED_SPAN;
      const found = longestIn(doc, docs.get(doc) as string, answer, at, best?.length ?? shortest - 1);
      if (found) best = found;
    }
    if (!best) {
      literal += answer[at];
      at++;
      continue;
    }
    if (literal !== '') pieces.push(literal);
    literal = '';
    pieces.push({ doc: best.doc, start: best.start, end: best.start + best.length });
    at += best.length;
  }
  if (literal !== '') pieces.push(literal);
  return pieces;
}

/** JSON as the label files are written: `", "` and `": "` separators, one object per line. */
function jsonLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonLine).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${jsonLine(item)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

/** The label's fields in their order, `answer` replaced by `answer_pieces` and `answer_sha256`. */
function withPieces(
  raw: Record<string, unknown>,
  pieces: AnswerPiece[],
  sha256: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'answer_sha256') continue;
    if (key === 'answer' || key === 'answer_pieces') {
      out.answer_pieces = pieces;
      out.answer_sha256 = sha256;
    } else out[key] = value;
  }
  return out;
}

const docs = readDocs(docsDir);
const resolved = loadJudgeLabels(values.labels, { sources: { [CORPUS]: docsDir } });
const lines = fs
  .readFileSync(values.labels, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
let answerChars = 0;
let literalChars = 0;
let longest = '';
const tooLong: string[] = [];
const out = lines.map((line, index) => {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const label = resolved[index];
  if (label?.kind !== 'answer' || label.corpus !== CORPUS) return line;
  const cited = [
    ...new Set(
      label.citations.flatMap((citation) =>
        [...docs.keys()].filter((doc) => citation.docId === doc || citation.docId.endsWith(`/${doc}`)),
      ),
    ),
  ];
  const pieces = encode(label.answer, docs, cited);
  const rebuilt = pieces
    .map((piece) =>
      typeof piece === 'string' ? piece : (docs.get(piece.doc) as string).slice(piece.start, piece.end),
    )
    .join('');
  if (rebuilt !== label.answer) {
    console.error(`${label.id}: the pieces do not rebuild the answer`);
    process.exit(1);
  }
  answerChars += label.answer.length;
  for (const piece of pieces) {
    if (typeof piece !== 'string') continue;
    literalChars += piece.length;
    if (piece.length > longest.length) longest = piece;
    // The greedy cover leaves no run of MIN_SPAN chars of the docs in a literal; check anyway.
    if (piece.length > 25 && [...docs.values()].some((text) => text.includes(piece)))
      tooLong.push(`${label.id}: ${JSON.stringify(piece)}`);
  }
  return jsonLine(withPieces(raw, pieces, createHash('sha256').update(label.answer).digest('hex')));
});
console.log(
  `${answerChars} answer chars, ${literalChars} left as literals; longest literal ${longest.length} chars: ${JSON.stringify(longest)}`,
);
if (tooLong.length > 0) {
  console.error(`literals over 25 chars that are in the docs:\n${tooLong.join('\n')}`);
  process.exit(1);
}
if (!values.check) {
  fs.writeFileSync(values.labels, `${out.join('\n')}\n`);
  // Read back through the loader: every answer must rebuild to its sha256.
  loadJudgeLabels(values.labels, { sources: { [CORPUS]: docsDir } });
  console.log(`wrote ${path.relative(root, values.labels)}`);
}
