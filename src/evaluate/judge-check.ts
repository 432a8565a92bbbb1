import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CairnError, type Judge, type Passage } from '../spec/index.ts';
import { scoreAnswer } from './answer-metrics.ts';
import { type AgreementStats, agreementStats, describeKappa } from './judge-agreement.ts';

const statementLabelSchema = z
  .object({
    id: z.string().min(1),
    /** `support`: is `statement` backed by `context`? `relevance`: does `statement` answer `question`? */
    kind: z.enum(['support', 'relevance']),
    question: z.string(),
    statement: z.string().min(1),
    context: z.string(),
    /** The human verdict: supported / relevant. */
    human: z.boolean(),
    /** Why a human decided so; hard cases say what makes them hard. */
    note: z.string(),
    hard: z.boolean().default(false),
    split: z.enum(['dev', 'test']),
  })
  .strict();

const answerLabelFields = {
  id: z.string().min(1),
  /** A whole answer of the system, graded by a person against the reference and its citations. */
  kind: z.literal('answer'),
  /** The corpus the answer came from (its documents must be in the index given at check time). */
  corpus: z.string().min(1),
  question: z.string().min(1),
  reference: z.string().min(1),
  abstained: z.boolean(),
  /** The answer's citations; passages are re-read from the index by chunk id when checking. */
  citations: z.array(
    z.object({ n: z.number().int().min(1), docId: z.string(), chunkId: z.string() }).strict(),
  ),
  /** Human grade against the reference. */
  correctness: z.enum(['correct', 'partial', 'wrong']),
  /** Human: is every claim of the answer backed by the passages it cites? null for an abstention. */
  supported: z.boolean().nullable(),
  /** Human: does the answer address the question (right or wrong)? */
  relevant: z.boolean(),
  note: z.string(),
  hard: z.boolean().default(false),
  split: z.enum(['dev', 'test']),
};

const answerLabelSchema = z.object({ ...answerLabelFields, answer: z.string() }).strict();

/** Our own text, or the span `[start, end)` (UTF-16 offsets) of one file of the label's corpus. */
const answerPieceSchema = z.union([
  z.string(),
  z
    .object({
      /** Path of the file, relative to the corpus folder (and inside it). */
      doc: z
        .string()
        .min(1)
        .refine((doc) => !path.isAbsolute(doc) && !doc.split(/[\\/]/).includes('..'), {
          message: 'a path inside the corpus folder',
        }),
      start: z.number().int().min(0),
      end: z.number().int().min(0),
    })
    .strict()
    .refine((span) => span.end >= span.start, { message: 'end must not be before start' }),
]);

/**
 * An answer label as stored: the answer itself, or, for an answer that quotes a public corpus
 * we must not copy, the pieces it is rebuilt from and the sha256 of the rebuilt text.
 */
const storedAnswerLabelSchema = z
  .object({
    ...answerLabelFields,
    answer: z.string().optional(),
    answer_pieces: z.array(answerPieceSchema).optional(),
    answer_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a hex sha256')
      .optional(),
  })
  .strict()
  .superRefine((label, context) => {
    if ((label.answer === undefined) === (label.answer_pieces === undefined))
      context.addIssue({
        code: 'custom',
        path: ['answer'],
        message: 'give either answer or answer_pieces (with answer_sha256)',
      });
    else if (label.answer_pieces !== undefined && label.answer_sha256 === undefined)
      context.addIssue({
        code: 'custom',
        path: ['answer_sha256'],
        message: 'answer_pieces need answer_sha256',
      });
  });

/** A piece of a stored answer: our own text or a span of one file of the label's corpus. */
export type AnswerPiece = z.infer<typeof answerPieceSchema>;

const labelSchema = z.union([statementLabelSchema, answerLabelSchema]);

/** One hand-labelled judging example: a statement (support or relevance) or a graded answer. */
export type JudgeLabel = z.infer<typeof labelSchema>;
/** A support or relevance label over one statement. */
export type StatementLabel = z.infer<typeof statementLabelSchema>;
/** A hand-graded (question, answer, reference) triple with its citations, its answer resolved. */
export type AnswerLabel = z.infer<typeof answerLabelSchema>;

/** Where the shared public data lives: `CAIRN_SHARED_DIR`, else `../shared` beside the project root. */
export function sharedDataDir(): string {
  return process.env.CAIRN_SHARED_DIR ?? fileURLToPath(new URL('../../../shared', import.meta.url));
}

/** Folder of each public corpus, relative to {@link sharedDataDir}, whose answers labels store as spans. */
const SHARED_CORPORA: Record<string, string> = { 'vitest-docs': 'corpora/vitest-docs/docs' };

/**
 * The folder of each public corpus that answer labels may quote, by corpus name, in the shared
 * data folder (`CAIRN_SHARED_DIR` or `../shared`).
 */
export function defaultAnswerSources(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(SHARED_CORPORA).map(([corpus, relative]) => [
      corpus,
      path.join(sharedDataDir(), relative),
    ]),
  );
}

/** Options of {@link loadJudgeLabels}. */
export interface LoadJudgeLabelsOptions {
  /**
   * The folder of each corpus, by name, that answers stored as `answer_pieces` are rebuilt from;
   * a corpus not given here is looked up in the shared data folder.
   * @default defaultAnswerSources()
   */
  sources?: Record<string, string>;
}

/**
 * Reads and validates judge labels, naming the file and line of any problem. Answers stored as
 * spans of a public corpus are rebuilt from that corpus's folder and checked against their sha256.
 */
export function loadJudgeLabels(file: string, options: LoadJudgeLabelsOptions = {}): JudgeLabel[] {
  const labels: JudgeLabel[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CairnError('dataset_invalid', `${file}: cannot read (${(cause as Error).message})`, { cause });
  }
  const sources = { ...defaultAnswerSources(), ...options.sources };
  const rebuild = answerRebuilder(sources);
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CairnError('dataset_invalid', `${where}: not valid JSON`);
    }
    // Pick the schema by kind so an error names the fields of that kind, not of every kind.
    if ((value as { kind?: unknown } | null)?.kind !== 'answer') {
      labels.push(parsed(statementLabelSchema, value, where));
      return;
    }
    const { answer, answer_pieces, answer_sha256, ...label } = parsed(storedAnswerLabelSchema, value, where);
    labels.push({
      ...label,
      answer: answer ?? rebuild(label, answer_pieces ?? [], answer_sha256 ?? '', where),
    });
  });
  return labels;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new CairnError(
      'dataset_invalid',
      `${where}: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`,
    );
  return result.data;
}

/** Rebuilds stored answers from their corpus folders, reading each file once. */
function answerRebuilder(sources: Record<string, string>) {
  const files = new Map<string, string | undefined>();
  const read = (file: string) => {
    if (!files.has(file)) files.set(file, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
    return files.get(file);
  };
  return (label: { id: string; corpus: string }, pieces: AnswerPiece[], sha256: string, where: string) => {
    const dir = sources[label.corpus];
    const shared = SHARED_CORPORA[label.corpus];
    if (dir === undefined || !fs.existsSync(dir))
      throw new CairnError(
        'not_found',
        `${where}: label ${label.id} quotes the public ${label.corpus} corpus by offsets into its files, ` +
          (dir === undefined
            ? 'but no folder is given for that corpus; '
            : `read in place from ${dir}, which does not exist; `) +
          (shared === undefined
            ? `pass its folder as sources['${label.corpus}']`
            : // The CLI command and the bench name their flag after the corpus: --vitest-docs DIR.
              `pass its folder with --${label.corpus} DIR, or set CAIRN_SHARED_DIR to the folder holding ${shared}`),
      );
    const answer = pieces
      .map((piece) => {
        if (typeof piece === 'string') return piece;
        const text = read(path.join(dir, piece.doc));
        if (text === undefined)
          throw new CairnError(
            'dataset_invalid',
            `${where}: label ${label.id} quotes ${piece.doc}, which is not in ${dir}`,
          );
        if (piece.end > text.length)
          throw new CairnError(
            'dataset_invalid',
            `${where}: label ${label.id} quotes ${piece.doc} up to offset ${piece.end}, past its end (${text.length}); ${dir} holds another version of the ${label.corpus} corpus`,
          );
        return text.slice(piece.start, piece.end);
      })
      .join('');
    if (createHash('sha256').update(answer).digest('hex') !== sha256) {
      const docs = [...new Set(pieces.flatMap((piece) => (typeof piece === 'string' ? [] : [piece.doc])))];
      throw new CairnError(
        'dataset_invalid',
        `${where}: label ${label.id}: the answer rebuilt from ${docs.join(', ')} in ${dir} does not match its answer_sha256; those files differ from the version of the ${label.corpus} corpus the label was graded on`,
      );
    }
    return answer;
  };
}

/** Metrics each kind of judgement feeds. */
export const METRICS_BY_KIND = {
  support: ['faithfulness', 'citation_accuracy', 'context_recall'],
  relevance: ['answer_relevance'],
} as const;

/** A metric whose agreement with people (Cohen's kappa) is below this is untrusted wherever it is shown. */
export const TRUST_MIN_KAPPA = 0.4;

/**
 * Thresholds that turn a graded metric into the yes/no a person gave: an answer counts as
 * "correct" when its key-fact recall or token F1 reaches these (chosen on the dev split of
 * `corpus/judge-labels-vitest.jsonl`, see bench/judge-agreement.ts), or when the LLM grades it 2 of 2.
 */
export const CORRECTNESS_THRESHOLDS = {
  key_fact_recall: 0.55,
  token_f1: 0.35,
  answer_correctness: 1,
} as const;

/** Agreement of one metric's verdicts with people on one label set. */
export interface MetricAgreement {
  metric: string;
  labelSet: string;
  /** What the human said yes to: supported, relevant, or graded correct. */
  human: 'supported' | 'relevant' | 'correct';
  /** Metric value at or above which the verdict is "yes" (null: the judge's own verdict). */
  threshold: number | null;
  stats: AgreementStats;
  /** Labels where the metric was not measured (e.g. correctness offline, faithfulness of an abstention). */
  unmeasured: number;
  /** kappa ≥ {@link TRUST_MIN_KAPPA}. */
  trusted: boolean;
  trust: string;
}

/** Agreement of one judge with the human labels, per kind of judgement. */
export interface JudgeCheckReport {
  judge: string;
  kind: 'offline' | 'llm';
  repeats: number;
  /** Name of the label set (file name without extension by default). */
  labelSet: string;
  /** Agreement per metric the labels can validate, on the labels given. */
  perMetric: MetricAgreement[];
  perKind: {
    kind: 'support' | 'relevance';
    metrics: readonly string[];
    stats: AgreementStats;
    hardStats: AgreementStats;
    trust: string;
    /** Agreement in each repeat, and its variance: 0 for a deterministic judge. */
    repeatAgreements: number[];
    agreementVariance: number;
    /** Items whose verdict changed between repeats. */
    unstableItems: string[];
    disagreements: { id: string; human: boolean; judge: boolean; reason: string; note: string }[];
  }[];
  costUsd: number | null;
}

/**
 * Runs a judge over labelled items `repeats` times and reports agreement, Cohen's kappa,
 * precision/recall per verdict, run-to-run stability, and which metrics it can be trusted for.
 * Relevance verdicts count as "relevant" when the judge's score is at least `relevanceThreshold`.
 */
export async function checkJudge(
  judge: Judge,
  allLabels: JudgeLabel[],
  options: {
    repeats?: number;
    relevanceThreshold?: number;
    labelSet?: string;
    /** Reads passage texts by chunk id (from the index holding the labels' corpus); needed for answer labels. */
    passages?: (chunkIds: string[]) => Promise<Map<string, string>>;
  } = {},
): Promise<JudgeCheckReport> {
  const repeats = options.repeats ?? 1;
  const relevanceThreshold = options.relevanceThreshold ?? 0.5;
  const labelSet = options.labelSet ?? 'labels';
  const labels = allLabels.filter((label): label is StatementLabel => label.kind !== 'answer');
  const answerLabels = allLabels.filter((label): label is AnswerLabel => label.kind === 'answer');
  const verdicts = new Map<string, { judge: boolean; reason: string }[]>();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const label of labels) {
      const verdict =
        label.kind === 'support'
          ? await judge.judgeSupport({
              statement: label.statement,
              context: label.context,
              question: label.question,
            })
          : await judge.judgeRelevance(label.question, label.statement).then((relevance) => ({
              supported: relevance.score >= relevanceThreshold,
              reason: relevance.reason,
            }));
      verdicts.set(label.id, [
        ...(verdicts.get(label.id) ?? []),
        { judge: verdict.supported, reason: verdict.reason },
      ]);
    }
  }
  const perKind: JudgeCheckReport['perKind'] = [];
  for (const kind of ['support', 'relevance'] as const) {
    const subset = labels.filter((label) => label.kind === kind);
    if (subset.length === 0) continue;
    const first = subset.map((label) => ({
      label,
      verdict: verdicts.get(label.id)?.[0] as { judge: boolean; reason: string },
    }));
    const stats = agreementStats(
      first.map(({ label, verdict }) => ({ human: label.human, judge: verdict.judge })),
    );
    const hardStats = agreementStats(
      first
        .filter(({ label }) => label.hard)
        .map(({ label, verdict }) => ({ human: label.human, judge: verdict.judge })),
    );
    const repeatAgreements = Array.from({ length: repeats }, (_, repeat) => {
      const agreeing = subset.filter(
        (label) => verdicts.get(label.id)?.[repeat]?.judge === label.human,
      ).length;
      return agreeing / subset.length;
    });
    const mean = repeatAgreements.reduce((sum, value) => sum + value, 0) / repeats;
    perKind.push({
      kind,
      metrics: METRICS_BY_KIND[kind],
      stats,
      hardStats,
      trust: describeKappa(stats.kappa),
      repeatAgreements,
      agreementVariance: repeatAgreements.reduce((sum, value) => sum + (value - mean) ** 2, 0) / repeats,
      unstableItems: subset
        .filter((label) => new Set(verdicts.get(label.id)?.map((v) => v.judge)).size > 1)
        .map((label) => label.id),
      disagreements: first
        .filter(({ label, verdict }) => label.human !== verdict.judge)
        .map(({ label, verdict }) => ({
          id: label.id,
          human: label.human,
          judge: verdict.judge,
          reason: verdict.reason,
          note: label.note,
        })),
    });
  }
  const perMetric: MetricAgreement[] = [];
  for (const entry of perKind) {
    for (const metric of entry.metrics)
      perMetric.push(
        metricAgreement(
          metric,
          labelSet,
          entry.kind === 'support' ? 'supported' : 'relevant',
          null,
          entry.stats,
          0,
        ),
      );
  }
  if (answerLabels.length > 0)
    perMetric.push(
      ...(await checkAnswerLabels(judge, answerLabels, labelSet, relevanceThreshold, options.passages)),
    );
  return {
    judge: judge.id,
    kind: judge.kind,
    repeats,
    labelSet,
    perMetric,
    perKind,
    costUsd: judge.usage().costUsd,
  };
}

function metricAgreement(
  metric: string,
  labelSet: string,
  human: MetricAgreement['human'],
  threshold: number | null,
  stats: AgreementStats,
  unmeasured: number,
): MetricAgreement {
  return {
    metric,
    labelSet,
    human,
    threshold,
    stats,
    unmeasured,
    trusted: stats.kappa !== null && stats.kappa >= TRUST_MIN_KAPPA,
    trust: describeKappa(stats.kappa),
  };
}

/**
 * Scores each graded answer exactly as an evaluation run would (its cited passages as the
 * context) and compares every metric's verdict with the person's grade.
 */
async function checkAnswerLabels(
  judge: Judge,
  labels: AnswerLabel[],
  labelSet: string,
  relevanceThreshold: number,
  readPassages: ((chunkIds: string[]) => Promise<Map<string, string>>) | undefined,
): Promise<MetricAgreement[]> {
  if (!readPassages)
    throw new CairnError(
      'invalid_option',
      `${labelSet}: answer labels need the index of their corpus to re-read the cited passages (pass --index FILE)`,
    );
  const texts = await readPassages([
    ...new Set(labels.flatMap((label) => label.citations.map((c) => c.chunkId))),
  ]);
  const pairs = new Map<string, { human: boolean; judge: boolean }[]>();
  const unmeasured = new Map<string, number>();
  const add = (metric: string, human: boolean | null, value: number | null, threshold: number) => {
    if (human === null) return;
    if (value === null) {
      unmeasured.set(metric, (unmeasured.get(metric) ?? 0) + 1);
      return;
    }
    pairs.set(metric, [...(pairs.get(metric) ?? []), { human, judge: value >= threshold }]);
  };
  for (const label of labels) {
    const passages: Passage[] = [];
    for (const citation of label.citations) {
      const text = texts.get(citation.chunkId);
      if (text === undefined)
        throw new CairnError(
          'not_found',
          `${labelSet} ${label.id}: chunk ${citation.chunkId} is not in the index; ingest the ${label.corpus} corpus with the default chunking`,
        );
      passages[citation.n - 1] = {
        n: citation.n,
        chunkId: citation.chunkId,
        docId: citation.docId,
        source: citation.docId,
        title: citation.docId,
        text,
        score: 1,
        metadata: {},
      };
    }
    for (let index = 0; index < passages.length; index++) {
      // Uncited passages are not part of what the person judged the answer against.
      passages[index] ??= {
        n: index + 1,
        chunkId: '',
        docId: '',
        source: '',
        title: '',
        text: '',
        score: 0,
        metadata: {},
      };
    }
    const { metrics } = await scoreAnswer(
      {
        item: {
          id: label.id,
          question: label.question,
          reference_answer: label.reference,
          relevant_doc_ids: [],
          tags: [],
          split: label.split,
        },
        answer: label.answer,
        abstained: label.abstained,
        passages,
        citedNumbers: label.citations.map((citation) => citation.n),
      },
      judge,
    );
    const correct = label.correctness === 'correct';
    add('faithfulness', label.supported, metrics.faithfulness, 1);
    add('citation_accuracy', label.supported, metrics.citation_accuracy, 1);
    add(
      'answer_relevance',
      label.abstained ? null : label.relevant,
      metrics.answer_relevance,
      relevanceThreshold,
    );
    for (const metric of ['key_fact_recall', 'token_f1', 'answer_correctness'] as const)
      add(metric, correct, metrics[metric], CORRECTNESS_THRESHOLDS[metric]);
  }
  const thresholds: Record<string, number> = {
    faithfulness: 1,
    citation_accuracy: 1,
    answer_relevance: relevanceThreshold,
    ...CORRECTNESS_THRESHOLDS,
  };
  const human = (metric: string): MetricAgreement['human'] =>
    metric === 'answer_relevance'
      ? 'relevant'
      : metric === 'faithfulness' || metric === 'citation_accuracy'
        ? 'supported'
        : 'correct';
  return [...new Set([...pairs.keys(), ...unmeasured.keys()])].map((metric) =>
    metricAgreement(
      metric,
      labelSet,
      human(metric),
      thresholds[metric] ?? null,
      agreementStats(pairs.get(metric) ?? []),
      unmeasured.get(metric) ?? 0,
    ),
  );
}
