import fs from 'node:fs';
import path from 'node:path';
import {
  exportBeir,
  exportGoldenSet,
  formatGoldenSet,
  importGoldenSet,
  loadGoldenSet,
  parseGoldenFormat,
} from '../evaluate/index.ts';
import { loadDocuments } from '../ingest/index.ts';
import { type CairnDocument, CairnError } from '../spec/index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';

export const EVAL_IMPORT_HELP = `Usage: cairn eval import FILE --format FORMAT [--out golden.jsonl] [--split dev|test]

Converts another tool's dataset into a cairn golden set (JSONL on stdout, or --out FILE).
FORMAT: ragas-jsonl, ragas-csv (user_input/reference, or question/ground_truth),
        promptfoo-jsonl, promptfoo-csv (vars.question + llm-rubric/similar assertions).
  --split dev|test   split for records that name none (default: test)
`;

export const EVAL_EXPORT_HELP = `Usage: cairn eval export --golden FILE --format FORMAT [--out FILE]
       cairn eval export --golden FILE --format beir --docs DIR --out DIR

Writes a golden set in another tool's shape. FORMAT: ragas-jsonl, ragas-csv, promptfoo-jsonl,
promptfoo-csv, or beir (corpus.jsonl + queries.jsonl + qrels/{dev,test}.tsv from the documents in
--docs, ready for cairn eval retrieval --dataset DIR).
`;

/** `cairn eval import`: another tool's dataset -> golden JSONL. */
export async function evalImportCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('eval import', args, {
    format: { type: 'string' },
    out: { type: 'string' },
    split: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(EVAL_IMPORT_HELP);
    return EXIT.ok;
  }
  const [file] = positionals;
  if (!file || !values.format)
    throw new CairnError(
      'invalid_option',
      'usage: cairn eval import FILE --format FORMAT. See: cairn eval import --help',
    );
  const split = values.split ?? 'test';
  if (split !== 'dev' && split !== 'test')
    throw new CairnError('invalid_option', `--split must be dev or test, got "${split}"`);
  const text = readInput(file);
  const items = importGoldenSet(text, parseGoldenFormat(values.format), file, {
    defaultSplit: split,
    idPrefix: path.basename(file).replace(/\.[^.]+$/, ''),
  });
  writeOutput(formatGoldenSet(items), values.out, context);
  if (values.out) context.stdout.write(`imported ${items.length} items into ${values.out}\n`);
  return EXIT.ok;
}

/** `cairn eval export`: golden JSONL -> RAGAS, promptfoo or BEIR. */
export async function evalExportCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval export', args, {
    golden: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    docs: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(EVAL_EXPORT_HELP);
    return EXIT.ok;
  }
  if (!values.golden || !values.format)
    throw new CairnError(
      'invalid_option',
      'usage: cairn eval export --golden FILE --format FORMAT. See: cairn eval export --help',
    );
  const items = loadGoldenSet(values.golden);
  if (values.format !== 'beir') {
    writeOutput(exportGoldenSet(items, parseGoldenFormat(values.format)), values.out, context);
    if (values.out) context.stdout.write(`exported ${items.length} items to ${values.out}\n`);
    return EXIT.ok;
  }
  if (!values.docs || !values.out)
    throw new CairnError('invalid_option', 'a BEIR export needs --docs DIR (the documents) and --out DIR');
  const documents: CairnDocument[] = [];
  for await (const result of loadDocuments(values.docs)) {
    if (result.ok === true) documents.push(result.document);
    else if (result.ok === false) context.stderr.write(`skipped ${result.error.message}\n`);
  }
  const summary = exportBeir(items, documents, values.out);
  context.stdout.write(
    `wrote ${values.out}: ${summary.documents} documents, ${summary.queries} queries (qrels dev ${summary.qrels.dev}, test ${summary.qrels.test}); ` +
      `${summary.skippedItems.length} items without relevant documents left out\n`,
  );
  return EXIT.ok;
}

function readInput(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CairnError('dataset_invalid', `${file}: cannot read (${(cause as Error).message})`, { cause });
  }
}

/** Writes to --out through a temporary file, so a failed run never leaves half a dataset. */
function writeOutput(text: string, out: string | undefined, context: CommandContext): void {
  if (!out) {
    context.stdout.write(text);
    return;
  }
  const temporary = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, out);
}
