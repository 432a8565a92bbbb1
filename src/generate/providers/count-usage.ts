import { countTokens } from '../../chunk/count-tokens.ts';
import type { ChatMessage, LanguageModelUsage } from '../../spec/index.ts';

/** Token usage counted locally (o200k_base) for providers that do not report it. */
export function countUsage(messages: ChatMessage[], output: string): LanguageModelUsage {
  // About 4 tokens of chat framing per message, as OpenAI documents for its chat format.
  const inputTokens = messages.reduce((sum, message) => sum + 4 + countTokens(message.content), 3);
  return { inputTokens, outputTokens: countTokens(output), reported: false };
}
