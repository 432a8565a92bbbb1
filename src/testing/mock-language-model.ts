import type { GenerateResult, LanguageModel, LanguageModelCallOptions, StreamPart } from '../spec/index.ts';

/** What the mock answers: a fixed text, a list used in turn, or a function of the call. */
export type MockReply = string | string[] | ((options: LanguageModelCallOptions) => string);

/**
 * An in-process LanguageModel for unit tests of code that sits above the provider layer. It
 * records every call and replies with the given text, streamed word by word. Provider code itself
 * is tested against the HTTP mock server instead.
 */
export class MockLanguageModel implements LanguageModel {
  readonly specificationVersion = 'v1';
  readonly provider = 'mock';
  readonly modelId: string;
  readonly calls: LanguageModelCallOptions[] = [];
  readonly #reply: MockReply;
  #turn = 0;

  constructor(reply: MockReply, modelId = 'mock-model') {
    this.#reply = reply;
    this.modelId = modelId;
  }

  #next(options: LanguageModelCallOptions): string {
    this.calls.push(options);
    if (typeof this.#reply === 'function') return this.#reply(options);
    if (Array.isArray(this.#reply)) return this.#reply[Math.min(this.#turn++, this.#reply.length - 1)] ?? '';
    return this.#reply;
  }

  async doGenerate(options: LanguageModelCallOptions): Promise<GenerateResult> {
    const text = this.#next(options);
    return {
      text,
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 100, outputTokens: text.split(/\s+/).length, reported: true },
      warnings: [],
      response: { modelId: this.modelId },
    };
  }

  async doStream(options: LanguageModelCallOptions) {
    const text = this.#next(options);
    const modelId = this.modelId;
    async function* parts(): AsyncGenerator<StreamPart> {
      for (const piece of text.match(/\S+\s*/g) ?? []) yield { type: 'text-delta', delta: piece };
      yield {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 100, outputTokens: text.split(/\s+/).length, reported: true },
        response: { modelId },
      };
    }
    return { stream: parts(), warnings: [] };
  }
}
