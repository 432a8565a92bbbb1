import { countTokens } from '../chunk/count-tokens.ts';
import { checkCitations } from '../generate/citations.ts';
import { type AnswerDraft, type Answerer, CairnError, type Conflict, type Passage } from '../spec/index.ts';
import { costOf } from '../trace/cost.ts';
import type { Tracer } from '../trace/tracer.ts';
import type { AskOptions, AskPolicyReport, AskRouting } from './ask-types.ts';
import { findPolicyViolation, type PolicyViolation, RETRY_INSTRUCTIONS } from './grounding-policy.ts';

/** The answer the policy settled on, before redaction and pricing. */
export interface PolicyOutcome {
  answer: string;
  abstained: boolean;
  abstainReason?: string;
  validCitations: number[];
  invalidCitations: number[];
  /** Every draft produced, in order; the last one is the answer's (when any). */
  drafts: AnswerDraft[];
  policy: AskPolicyReport;
}

/**
 * Generates an answer and enforces the grounding policy: an answer that breaks it is retried once
 * with the reason (skipped for deterministic answerers), then handed to the fallback answerer,
 * then refused with the violation as reason code. Abstentions are accepted as they are.
 */
export async function answerWithinPolicy(input: {
  options: AskOptions;
  tracer: Tracer;
  question: string;
  passages: Passage[];
  questionEmbedding?: Float32Array;
  /** The index's calibrated abstention threshold, handed to each answerer. */
  abstainThreshold?: number;
  /** Passages that disagree on a value, handed to each answerer. */
  conflicts?: Conflict[];
  onFirstToken: () => void;
}): Promise<PolicyOutcome> {
  const { options, tracer, passages } = input;
  const main = options.answerer;
  const fallback = options.fallbackAnswerer;
  const routing = options.routing;
  // Routing: the cheap model answers first unless the passages are too long for it.
  const contextTokens = routing ? passages.reduce((sum, passage) => sum + countTokens(passage.text), 0) : 0;
  const cheapFirst = routing !== undefined && contextTokens <= routing.longContextTokens;
  const route: AskPolicyReport['route'] = routing
    ? { first: cheapFirst ? routing.cheap.id : main.id, contextTokens, escalated: false }
    : undefined;
  const plan: PlanStep[] = [{ answerer: cheapFirst ? (routing as AskRouting).cheap : main, kind: 'first' }];
  const drafts: AnswerDraft[] = [];
  const attempts: AskPolicyReport['attempts'] = [];
  let violation: PolicyViolation | undefined;
  const decisionOf: Record<PlanStep['kind'], AskPolicyReport['decision']> = {
    first: 'answered',
    retry: 'retried',
    escalate: 'escalated',
    fallback: 'fell_back',
  };
  const report = (decision: AskPolicyReport['decision']): AskPolicyReport => ({
    decision,
    attempts,
    ...(route ? { route } : {}),
  });
  for (let index = 0; index < plan.length; index++) {
    const step = plan[index] as PlanStep;
    if (index > 0 && violation && violation !== 'provider_failed') options.onRetry?.(violation);
    if (step.kind === 'escalate' && route) route.escalated = true;
    const generateSpan = tracer.start('cairn.generate', {
      model: step.answerer.id,
      attempt: index + 1,
      step: step.kind,
    });
    let draft: AnswerDraft;
    let streamed = false;
    try {
      draft = await step.answerer.answer({
        question: input.question,
        passages,
        ...(input.questionEmbedding ? { questionEmbedding: input.questionEmbedding } : {}),
        ...(input.abstainThreshold === undefined ? {} : { abstainThreshold: input.abstainThreshold }),
        ...(input.conflicts ? { conflicts: input.conflicts } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(step.retryReason ? { retryReason: RETRY_INSTRUCTIONS[step.retryReason] } : {}),
        onToken: (delta) => {
          streamed = true;
          input.onFirstToken();
          options.onToken?.(delta);
        },
      });
    } catch (error) {
      generateSpan.status = 'error';
      generateSpan.attributes.error = error instanceof Error ? error.message : String(error);
      // Cancellation and deadlines are not failures to route around; nor are bugs.
      if (options.abortSignal?.aborted || !CairnError.is(error, 'api_call_failed')) throw error;
      // A stream cut after its first token could not be retried inside the provider chain (the
      // user had seen text): ask it once more from the start. A failing cheap model escalates.
      // Otherwise the chain already retried, so go to the fallback answerer.
      const again = streamed && !plan.some((p, i) => i !== index && p.answerer === step.answerer);
      const next: PlanStep | undefined = again
        ? { answerer: step.answerer, kind: 'retry' }
        : step.answerer === routing?.cheap && cheapFirst
          ? { answerer: main, kind: 'escalate' }
          : fallback && step.answerer !== fallback
            ? { answerer: fallback, kind: 'fallback' }
            : undefined;
      // Left open when rethrowing, so a deadline error can name the stage it interrupted.
      if (!next) throw error;
      tracer.end(generateSpan);
      attempts.push({ answerer: step.answerer.id, violation: 'provider_failed' });
      violation = 'provider_failed';
      options.onRetry?.('provider_failed');
      plan.splice(index + 1, plan.length, next);
      continue;
    }
    drafts.push(draft);
    Object.assign(generateSpan.attributes, {
      model: draft.modelId,
      inputTokens: draft.usage.inputTokens,
      outputTokens: draft.usage.outputTokens,
      costUsd: costOf(draft.usage, draft.modelId, options.prices ?? {}) ?? null,
      abstained: draft.abstained,
      ...(draft.finishReason ? { finishReason: draft.finishReason } : {}),
      ...(draft.evidenceScore === undefined ? {} : { evidenceScore: Number(draft.evidenceScore.toFixed(4)) }),
      ...(draft.promptVersion ? { promptVersion: draft.promptVersion } : {}),
    });
    tracer.end(generateSpan);

    const policySpan = tracer.start('cairn.guard', { check: 'grounding-policy', attempt: index + 1 });
    const checked = draft.abstained
      ? { text: draft.text, valid: [], invalid: [] }
      : checkCitations(draft.text, passages.length);
    violation = draft.abstained
      ? undefined
      : findPolicyViolation({
          answer: checked.text,
          validCitations: checked.valid,
          passages,
          requireCitations: options.abstainWithoutCitations ?? true,
        });
    // A cheap model that abstains is not trusted to be right: the main model gets the question.
    const fromCheap = step.answerer === routing?.cheap && cheapFirst;
    if (fromCheap && draft.abstained && routing?.escalateOnAbstain) violation = 'low_confidence';
    attempts.push({ answerer: draft.modelId, ...(violation ? { violation } : {}) });
    Object.assign(policySpan.attributes, {
      violation: violation ?? null,
      validCitations: checked.valid,
      invalidCitations: checked.invalid,
    });
    tracer.end(policySpan);
    if (!violation) {
      return {
        answer: checked.text,
        abstained: draft.abstained,
        ...(draft.abstainReason ? { abstainReason: draft.abstainReason } : {}),
        validCitations: checked.valid,
        invalidCitations: checked.invalid,
        drafts,
        policy: report(decisionOf[step.kind]),
      };
    }
    if (fromCheap) {
      // The cheap model's answer failed: escalate rather than retry it.
      plan.push({ answerer: main, kind: 'escalate' });
      continue;
    }
    if ((step.kind === 'first' || step.kind === 'escalate') && !step.answerer.deterministic) {
      plan.push({ answerer: step.answerer, kind: 'retry', retryReason: violation });
    }
    if (index === plan.length - 1 && fallback && !plan.some((p) => p.answerer === fallback)) {
      plan.push({ answerer: fallback, kind: 'fallback' });
    }
  }
  return {
    answer:
      violation === 'no_valid_citation'
        ? 'I could not find a supported answer in the documents.'
        : `I could not give an answer that meets the grounding policy (${violation}).`,
    abstained: true,
    abstainReason: violation ?? 'policy_violation',
    validCitations: [],
    invalidCitations: [],
    drafts,
    policy: report('refused'),
  };
}

/** One planned answer attempt and why it is made. */
interface PlanStep {
  answerer: Answerer;
  kind: 'first' | 'retry' | 'escalate' | 'fallback';
  retryReason?: PolicyViolation;
}
