import type {
  AnswerDraft,
  Answerer,
  AnswerRequest,
  FinishReason,
  LanguageModel,
  LanguageModelUsage,
} from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { formatConflicts } from './format-conflicts.ts';
import { formatPassages } from './format-passages.ts';
import { loadPrompt, renderPrompt } from './load-prompt.ts';

/** Settings of an answerer backed by a chat model. */
export interface LlmAnswererOptions {
  model: LanguageModel;
  /** @default 'grounded-answer.v1' */
  promptVersion?: string;
  /** @default 512 */
  maxOutputTokens?: number;
  /** @default 0 */
  temperature?: number;
  /** Stream tokens to `onToken` as they arrive. @default true */
  stream?: boolean;
}

/** What the prompt tells the model to say when the passages lack the answer. */
export const NOT_IN_DOCUMENTS = 'NOT_IN_DOCUMENTS';

/**
 * Answers with a chat model and the versioned grounded-answer prompt: every claim must cite a
 * passage, and the model must say NOT_IN_DOCUMENTS when the passages do not hold the answer.
 */
export function createLlmAnswerer(options: LlmAnswererOptions): Answerer {
  const template = loadPrompt(options.promptVersion ?? 'grounded-answer.v1');
  const modelId = `${options.model.provider}:${options.model.modelId}`;
  return {
    id: modelId,
    async answer(request: AnswerRequest): Promise<AnswerDraft> {
      const messages = renderPrompt(template, {
        passages: formatPassages(request.passages),
        conflicts: formatConflicts(request.conflicts),
        question: request.question,
      });
      // A prompt without a {{conflicts}} section (v1) still hears about them.
      if (request.conflicts?.length && !template.user.includes('{{conflicts}}')) {
        messages.push({
          role: 'user',
          content: `These passages disagree; do not state one value as fact, say that the sources disagree and cite each value:\n${formatConflicts(request.conflicts)}`,
        });
      }
      if (request.retryReason) {
        messages.push({
          role: 'user',
          content: `Your previous answer was rejected: ${request.retryReason} Answer the question again, following the rules.`,
        });
      }
      const callOptions = {
        messages,
        maxOutputTokens: options.maxOutputTokens ?? 512,
        temperature: options.temperature ?? 0,
        ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
      };
      let text = '';
      let usage: LanguageModelUsage = { inputTokens: 0, outputTokens: 0, reported: false };
      // A fallback chain reports which model answered; cost and traces use that one.
      let servedBy = modelId;
      let finishReason: FinishReason = 'other';
      const warnings: string[] = [];
      if (options.stream ?? true) {
        const { stream, warnings: callWarnings } = await options.model.doStream(callOptions);
        warnings.push(...callWarnings.map((warning) => warning.message));
        // Hold back output that could still become NOT_IN_DOCUMENTS, so abstentions never stream.
        let pending = '';
        for await (const part of stream) {
          if (part.type === 'text-delta') {
            text += part.delta;
            pending += part.delta;
            if (
              !NOT_IN_DOCUMENTS.startsWith(pending.trimStart()) ||
              pending.trimStart().length > NOT_IN_DOCUMENTS.length
            ) {
              request.onToken?.(pending);
              pending = '';
            }
          } else if (part.type === 'finish') {
            usage = part.usage;
            finishReason = part.finishReason;
            servedBy = part.response.servedBy ?? modelId;
          } else if (part.type === 'error') {
            throw part.error instanceof Error
              ? part.error
              : new CairnError('api_call_failed', String(part.error));
          }
        }
        if (pending !== '' && !isAbstention(text)) request.onToken?.(pending);
      } else {
        const result = await options.model.doGenerate(callOptions);
        text = result.text;
        usage = result.usage;
        finishReason = result.finishReason;
        servedBy = result.response.servedBy ?? modelId;
        warnings.push(...result.warnings.map((warning) => warning.message));
        if (!isAbstention(text)) request.onToken?.(text);
      }
      const base = { usage, finishReason, modelId: servedBy, promptVersion: template.version, warnings };
      if (isAbstention(text)) {
        return {
          ...base,
          text: 'I could not find this in the documents.',
          abstained: true,
          abstainReason: 'model_declined',
        };
      }
      return { ...base, text: text.trim(), abstained: false };
    },
  };
}

function isAbstention(text: string): boolean {
  return text.trim().replace(/[."']/g, '') === NOT_IN_DOCUMENTS;
}
