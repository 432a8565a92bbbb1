import fs from 'node:fs';
import { z } from 'zod';
import { CairnError, type Judge } from '../spec/index.ts';
import { type AgreementStats, agreementStats, describeKappa } from './judge-agreement.ts';

const labelSchema = z
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

/** One hand-labelled judging example. */
export type JudgeLabel = z.infer<typeof labelSchema>;

/** Reads and validates judge labels, naming the file and line of any problem. */
export function loadJudgeLabels(file: string): JudgeLabel[] {
  const labels: JudgeLabel[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CairnError('dataset_invalid', `${file}: cannot read (${(cause as Error).message})`, { cause });
  }
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CairnError('dataset_invalid', `${file}:${index + 1}: not valid JSON`);
    }
    const parsed = labelSchema.safeParse(value);
    if (!parsed.success)
      throw new CairnError(
        'dataset_invalid',
        `${file}:${index + 1}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
      );
    labels.push(parsed.data);
  });
  return labels;
}

/** Metrics each kind of judgement feeds. */
export const METRICS_BY_KIND = {
  support: ['faithfulness', 'citation_accuracy', 'context_recall'],
  relevance: ['answer_relevance'],
} as const;

/** Agreement of one judge with the human labels, per kind of judgement. */
export interface JudgeCheckReport {
  judge: string;
  kind: 'offline' | 'llm';
  repeats: number;
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
  labels: JudgeLabel[],
  options: { repeats?: number; relevanceThreshold?: number } = {},
): Promise<JudgeCheckReport> {
  const repeats = options.repeats ?? 1;
  const relevanceThreshold = options.relevanceThreshold ?? 0.5;
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
  return { judge: judge.id, kind: judge.kind, repeats, perKind, costUsd: judge.usage().costUsd };
}
