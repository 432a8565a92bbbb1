import type { CallWarning } from './embedding-model.ts';

/** One message of a chat conversation. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A function the model may call, described by a JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call the model made; `arguments` is the raw JSON text the provider returned. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Tokens one call consumed, as the provider reported them (or counted locally when it did not). */
export interface LanguageModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported the counts; false when cairn counted them with gpt-tokenizer. */
  reported: boolean;
}

/** Why generation stopped. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** Options of one language-model call. */
export interface LanguageModelCallOptions {
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  stopSequences?: string[];
  tools?: ToolDefinition[];
  /** @default 'auto' when tools are given */
  toolChoice?: 'auto' | 'none' | 'required';
  abortSignal?: AbortSignal;
}

/** Result of a non-streaming call. */
export interface GenerateResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: LanguageModelUsage;
  warnings: CallWarning[];
  /** Provider response id and the model that actually answered. */
  /** `servedBy`: `provider:modelId` of the model that answered, when a fallback chain chose it. */
  response: { id?: string; modelId: string; servedBy?: string };
}

/** Parts of a streamed response, in order; exactly one `finish` (or `error`) ends the stream. */
export type StreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: LanguageModelUsage;
      response: { id?: string; modelId: string; servedBy?: string };
    }
  | { type: 'error'; error: unknown };

/**
 * Contract every chat model implements (shape of the Vercel AI SDK's LanguageModelV1).
 * The engine calls `doGenerate`/`doStream`; users call `ask()`.
 */
export interface LanguageModel {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: LanguageModelCallOptions): Promise<GenerateResult>;
  doStream(
    options: LanguageModelCallOptions,
  ): Promise<{ stream: AsyncIterable<StreamPart>; warnings: CallWarning[] }>;
}
