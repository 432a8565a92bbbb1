import { type PromptTemplate, readPromptFile, renderPrompt } from '../generate/load-prompt.ts';
import { ApiCallError, CairnError, type Judge, type JudgeUsage, type LanguageModel } from '../spec/index.ts';
import { costOf, type ModelPrice } from '../trace/cost.ts';
import { stripCitations } from './offline-judge.ts';

/** Settings of an LLM judge. */
export interface LlmJudgeOptions {
  model: LanguageModel;
  /** Rubric version suffix shared by the support, relevance and pairwise prompts. @default 'v1' */
  rubricVersion?: string;
  prices?: Record<string, ModelPrice>;
}

/**
 * A judge backed by any chat model, following versioned rubric prompts in
 * `src/evaluate/judge-prompts/`. Pairwise comparisons are run in both orders and only count as a
 * win when both orders agree, which cancels position bias.
 */
export function createLlmJudge(options: LlmJudgeOptions): Judge {
  const version = options.rubricVersion ?? 'v1';
  const prompts = {
    support: loadRubric(`support.${version}`),
    relevance: loadRubric(`relevance.${version}`),
    pairwise: loadRubric(`pairwise.${version}`),
    correctness: loadRubric(`correctness.${version}`),
  };
  const modelId = `${options.model.provider}:${options.model.modelId}`;
  const spent: JudgeUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

  async function callModel(template: PromptTemplate, values: Record<string, string>, signal?: AbortSignal) {
    const result = await options.model.doGenerate({
      messages: renderPrompt(template, values),
      temperature: 0,
      maxOutputTokens: 200,
      ...(signal ? { abortSignal: signal } : {}),
    });
    spent.inputTokens += result.usage.inputTokens;
    spent.outputTokens += result.usage.outputTokens;
    const cost = costOf(result.usage, options.model.modelId, options.prices ?? {});
    spent.costUsd = spent.costUsd === null || cost === undefined ? null : spent.costUsd + cost;
    return result.text;
  }

  async function callJson(template: PromptTemplate, values: Record<string, string>, signal?: AbortSignal) {
    return parseJsonObject(await callModel(template, values, signal), modelId);
  }

  return {
    id: `llm:${modelId}`,
    kind: 'llm',
    promptVersion: `rubric.${version}`,
    async judgeSupport({ statement, context }, callOptions = {}) {
      const reply = await callJson(
        prompts.support,
        { statement: stripCitations(statement), context },
        callOptions.abortSignal,
      );
      const verdict = String(reply.verdict ?? '').toLowerCase();
      if (verdict !== 'supported' && verdict !== 'unsupported')
        throw badReply(modelId, 'verdict must be "supported" or "unsupported"');
      return {
        supported: verdict === 'supported',
        score: verdict === 'supported' ? 1 : 0,
        reason: String(reply.reason ?? ''),
      };
    },
    async judgeRelevance(question, answer, callOptions = {}) {
      const reply = await callJson(
        prompts.relevance,
        { question, answer: stripCitations(answer) },
        callOptions.abortSignal,
      );
      const score = Number(reply.score);
      if (!Number.isFinite(score) || score < 1 || score > 5)
        throw badReply(modelId, 'score must be a number from 1 to 5');
      return { score: (score - 1) / 4, reason: String(reply.reason ?? '') };
    },
    async judgeCorrectness({ question, answer, reference }, callOptions = {}) {
      const text = await callModel(
        prompts.correctness,
        { question, reference, answer: stripCitations(answer) },
        callOptions.abortSignal,
      );
      const { grade, reason } = parseCorrectnessGrade(text, modelId);
      return { score: grade / 2, reason };
    },
    async judgePairwise(question, answerA, answerB, context) {
      const forward = await callJson(prompts.pairwise, { question, a: answerA, b: answerB, context });
      const backward = await callJson(prompts.pairwise, { question, a: answerB, b: answerA, context });
      const first = String(forward.winner ?? '').toUpperCase();
      const second = String(backward.winner ?? '').toUpperCase();
      // Swapped order: "B" in the second call means the original A.
      if (first === 'A' && second === 'B') return { winner: 'a', reason: String(forward.reason ?? '') };
      if (first === 'B' && second === 'A') return { winner: 'b', reason: String(forward.reason ?? '') };
      return { winner: 'tie', reason: `orders disagreed or tied (${first || '?'} then ${second || '?'})` };
    },
    usage: () => ({ ...spent }),
  };
}

function loadRubric(version: string): PromptTemplate {
  return readPromptFile(new URL(`./judge-prompts/${version}.md`, import.meta.url), version);
}

const GRADE_WORDS: Record<string, number> = {
  correct: 2,
  'partially correct': 1,
  partial: 1,
  partially: 1,
  wrong: 0,
  incorrect: 0,
};

/**
 * Reads a 0–2 correctness grade from a judge reply: a JSON `grade` (number, numeric string,
 * "2/2" or a rubric word), else a `grade: N` written in prose. Anything else, or a grade outside
 * 0–2, is an error rather than a guess.
 */
export function parseCorrectnessGrade(text: string, modelId: string): { grade: number; reason: string } {
  let reply: Record<string, unknown> | null = null;
  try {
    reply = parseJsonObject(text, modelId);
  } catch {
    reply = null;
  }
  const raw = reply?.grade ?? reply?.score ?? /\bgrade\b["']?\s*[:=]\s*["']?([0-9]+)/i.exec(text)?.[1];
  const reason = String(reply?.reason ?? '');
  if (raw === undefined) throw badReply(modelId, 'no correctness grade in the reply');
  const word = String(raw).trim().toLowerCase();
  const grade = word in GRADE_WORDS ? (GRADE_WORDS[word] as number) : Number(word.replace(/\/2$/, ''));
  if (!Number.isInteger(grade) || grade < 0 || grade > 2) throw badReply(modelId, 'grade must be 0, 1 or 2');
  return { grade, reason };
}

/** Extracts the first JSON object from a reply, tolerating code fences and surrounding prose. */
export function parseJsonObject(text: string, modelId: string): Record<string, unknown> {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) throw badReply(modelId, 'no JSON object in the reply');
  try {
    const value = JSON.parse(text.slice(start, end + 1)) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw badReply(modelId, 'reply is not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw badReply(modelId, 'reply JSON does not parse');
  }
}

function badReply(modelId: string, reason: string): ApiCallError {
  return new ApiCallError({
    message: `judge ${modelId} gave an unusable reply: ${reason}`,
    url: modelId,
    isRetryable: true,
  });
}
