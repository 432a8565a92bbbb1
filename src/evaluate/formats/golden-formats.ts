import { ABSTENTION_TEXT } from '../../generate/extractive-answerer.ts';
import { CairnError } from '../../spec/index.ts';
import { type GoldenItem, mustAbstain, parseGoldenItem } from '../golden-set.ts';
import { parseCsvRecords, toCsv } from './csv.ts';

/** Interchange formats for golden sets. */
export const GOLDEN_FORMATS = ['ragas-jsonl', 'ragas-csv', 'promptfoo-jsonl', 'promptfoo-csv'] as const;

/** One of {@link GOLDEN_FORMATS}. */
export type GoldenFormat = (typeof GOLDEN_FORMATS)[number];

/** Options of {@link importGoldenSet}. */
export interface ImportOptions {
  /** Split for records that do not name one. @default 'test' */
  defaultSplit?: 'dev' | 'test';
  /** Prefix of generated ids for records without one. @default 'imported' */
  idPrefix?: string;
}

// What a correct abstention contains; promptfoo checks it with `icontains`.
const ABSTENTION_MARKER = ABSTENTION_TEXT.replace(/^I /, '').replace(/\.$/, '').toLowerCase();
const RUBRIC_PREFIX = 'Agrees with the reference answer: ';
const PROMPTFOO_COLUMNS = [
  'question',
  '__expected',
  '__description',
  '__metadata:reference_answer',
  '__metadata:relevant_doc_ids',
  '__metadata:tags',
  '__metadata:split',
] as const;
const RAGAS_COLUMNS = ['user_input', 'reference', 'id', 'relevant_doc_ids', 'tags', 'split'] as const;

/** Checks a format name from the command line. */
export function parseGoldenFormat(name: string): GoldenFormat {
  if ((GOLDEN_FORMATS as readonly string[]).includes(name)) return name as GoldenFormat;
  throw new CairnError(
    'invalid_option',
    `unknown format "${name}"; use one of ${GOLDEN_FORMATS.join(', ')} (or beir for export)`,
  );
}

/**
 * Writes golden items in another tool's shape. RAGAS rows use `user_input` and `reference`;
 * promptfoo tests carry the question in `vars`, an `llm-rubric` (or, for out-of-scope items, an
 * `icontains` abstention check) in `assert`. cairn's own fields ride along so a round trip is lossless.
 */
export function exportGoldenSet(items: readonly GoldenItem[], format: GoldenFormat): string {
  switch (format) {
    case 'ragas-jsonl':
      return items.map((item) => `${JSON.stringify(ragasRecord(item))}\n`).join('');
    case 'ragas-csv':
      return toCsv(
        RAGAS_COLUMNS,
        items.map((item) => {
          const record = ragasRecord(item);
          return [
            record.user_input,
            record.reference,
            record.id,
            JSON.stringify(record.relevant_doc_ids),
            JSON.stringify(record.tags),
            record.split,
          ];
        }),
      );
    case 'promptfoo-jsonl':
      return items.map((item) => `${JSON.stringify(promptfooTest(item))}\n`).join('');
    case 'promptfoo-csv':
      return toCsv(
        PROMPTFOO_COLUMNS,
        items.map((item) => [
          item.question,
          mustAbstain(item)
            ? `icontains:${ABSTENTION_MARKER}`
            : `llm-rubric:${RUBRIC_PREFIX}${item.reference_answer}`,
          item.id,
          item.reference_answer,
          JSON.stringify(item.relevant_doc_ids),
          JSON.stringify(item.tags),
          item.split,
        ]),
      );
  }
}

/**
 * Reads golden items from another tool's file, validating each and naming the file and record of
 * any problem. Accepts older RAGAS names (`question`, `ground_truth`) and promptfoo tests without
 * cairn metadata (the reference then comes from the first rubric or similarity assertion).
 */
export function importGoldenSet(
  text: string,
  format: GoldenFormat,
  source: string,
  options: ImportOptions = {},
): GoldenItem[] {
  const records: { where: string; value: Record<string, unknown> }[] = format.endsWith('-csv')
    ? parseCsvRecords(text, source).map((value, index) => ({
        where: `${source}: record ${index + 2}`,
        value,
      }))
    : text.split('\n').flatMap((line, index) => {
        if (line.trim() === '') return [];
        try {
          const value: unknown = JSON.parse(line);
          if (typeof value !== 'object' || value === null || Array.isArray(value))
            throw new Error('not an object');
          return [{ where: `${source}:${index + 1}`, value: value as Record<string, unknown> }];
        } catch {
          throw new CairnError(
            'dataset_invalid',
            `${source}:${index + 1}: not a JSON object; each line must hold one record`,
          );
        }
      });
  const items = records.map(({ where, value }, index) => {
    const fallbackId = `${options.idPrefix ?? 'imported'}-${index + 1}`;
    const fields = format.startsWith('ragas') ? fromRagas(value, where) : fromPromptfoo(value, where);
    return parseGoldenItem(
      {
        id: fields.id || fallbackId,
        question: fields.question,
        reference_answer: fields.reference,
        relevant_doc_ids: fields.relevantDocIds,
        tags: fields.tags,
        split: fields.split || (options.defaultSplit ?? 'test'),
      },
      where,
    );
  });
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new CairnError('dataset_invalid', `${source}: duplicate id "${item.id}"`);
    seen.add(item.id);
  }
  return items;
}

interface ImportedFields {
  id: string;
  question: string;
  reference: string;
  relevantDocIds: string[];
  tags: string[];
  split: string;
}

function ragasRecord(item: GoldenItem) {
  return {
    user_input: item.question,
    reference: item.reference_answer,
    id: item.id,
    relevant_doc_ids: item.relevant_doc_ids,
    tags: item.tags,
    split: item.split,
  };
}

function promptfooTest(item: GoldenItem) {
  return {
    description: item.id,
    vars: { question: item.question },
    assert: mustAbstain(item)
      ? [{ type: 'icontains', value: ABSTENTION_MARKER }]
      : [{ type: 'llm-rubric', value: `${RUBRIC_PREFIX}${item.reference_answer}` }],
    metadata: {
      reference_answer: item.reference_answer,
      relevant_doc_ids: item.relevant_doc_ids,
      tags: item.tags,
      split: item.split,
    },
  };
}

function fromRagas(record: Record<string, unknown>, where: string): ImportedFields {
  const groundTruths = record.ground_truths;
  const reference =
    record.reference ??
    record.ground_truth ??
    (Array.isArray(groundTruths) ? groundTruths[0] : undefined) ??
    '';
  return {
    id: text(record.id),
    question: requiredText(record.user_input ?? record.question, where, 'user_input (or question)'),
    reference: text(reference),
    relevantDocIds: list(record.relevant_doc_ids, where),
    tags: list(record.tags, where),
    split: text(record.split),
  };
}

function fromPromptfoo(record: Record<string, unknown>, where: string): ImportedFields {
  const csv = typeof record.question === 'string' || '__expected' in record;
  if (csv) {
    const expected = text(record.__expected);
    const rubric = expected.startsWith('llm-rubric:')
      ? expected.slice('llm-rubric:'.length).trim().replace(RUBRIC_PREFIX, '')
      : '';
    return {
      id: text(record.__description),
      question: requiredText(record.question, where, 'question'),
      reference: text(record['__metadata:reference_answer']) || rubric,
      relevantDocIds: list(record['__metadata:relevant_doc_ids'], where),
      tags: list(record['__metadata:tags'], where),
      split: text(record['__metadata:split']),
    };
  }
  const vars = (record.vars ?? {}) as Record<string, unknown>;
  const metadata = (record.metadata ?? {}) as Record<string, unknown>;
  const values = Object.values(vars).filter((value) => typeof value === 'string');
  const question = vars.question ?? vars.query ?? vars.input ?? (values.length === 1 ? values[0] : undefined);
  const assertions = Array.isArray(record.assert) ? (record.assert as Record<string, unknown>[]) : [];
  const graded = assertions.find((assertion) =>
    ['llm-rubric', 'similar', 'factuality', 'model-graded-closedqa'].includes(text(assertion.type)),
  );
  return {
    id: text(record.description),
    question: requiredText(question, where, 'vars.question (or a single var)'),
    reference: text(metadata.reference_answer) || text(graded?.value).replace(RUBRIC_PREFIX, ''),
    relevantDocIds: list(metadata.relevant_doc_ids, where),
    tags: list(metadata.tags, where),
    split: text(metadata.split),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function requiredText(value: unknown, where: string, field: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new CairnError('dataset_invalid', `${where}: missing ${field}`);
}

/** A list given as an array, a JSON array string, or `a|b|c`. */
function list(value: unknown, where: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    if (value.trim().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed)) return parsed.map(String);
      } catch {
        // fall through to the error below
      }
      throw new CairnError('dataset_invalid', `${where}: "${value}" is not a JSON array of strings`);
    }
    return value
      .split('|')
      .map((part) => part.trim())
      .filter(Boolean);
  }
  throw new CairnError('dataset_invalid', `${where}: expected a list, got ${typeof value}`);
}
