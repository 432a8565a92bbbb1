import { CairnError, type LanguageModel } from '../../spec/index.ts';
import { createAnthropicMessages } from './anthropic-messages.ts';
import { createOpenAICompatibleChat } from './openai-compatible-chat.ts';

/** Endpoint settings shared by the chat providers. */
export interface LanguageModelSettings {
  baseURL?: string;
  apiKey?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

/**
 * Resolves `openai-compatible:<model>` (needs a base URL) or `anthropic:<model>` (needs an API
 * key) to a language model.
 */
export function createLanguageModel(spec: string, settings: LanguageModelSettings = {}): LanguageModel {
  const separator = spec.indexOf(':');
  const provider = separator === -1 ? spec : spec.slice(0, separator);
  const modelId = separator === -1 ? '' : spec.slice(separator + 1);
  if (modelId === '') {
    throw new CairnError(
      'invalid_option',
      `model "${spec}" must name a model, e.g. openai-compatible:llama3.1 or anthropic:claude-sonnet-4-5`,
    );
  }
  const timeouts = {
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    ...(settings.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: settings.idleTimeoutMs }),
  };
  switch (provider) {
    case 'openai-compatible':
      if (!settings.baseURL) {
        throw new CairnError(
          'invalid_option',
          `model "${spec}" needs a base URL: set answerer.baseURL in cairn.config.json or CAIRN_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama)`,
        );
      }
      return createOpenAICompatibleChat({
        baseURL: settings.baseURL,
        modelId,
        ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
        ...timeouts,
      });
    case 'anthropic':
      if (!settings.apiKey) {
        throw new CairnError(
          'invalid_option',
          `model "${spec}" needs an API key: set CAIRN_LLM_API_KEY or ANTHROPIC_API_KEY`,
        );
      }
      return createAnthropicMessages({
        apiKey: settings.apiKey,
        modelId,
        ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
        ...timeouts,
      });
    default:
      throw new CairnError(
        'invalid_option',
        `unknown model provider "${provider}" in "${spec}": use openai-compatible:<model> or anthropic:<model>`,
      );
  }
}
