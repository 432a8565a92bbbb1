export * from './anthropic-messages.ts';
export * from './create-language-model.ts';
export * from './openai-compatible-chat.ts';
export * from './provider-request.ts';
export * from './resilient-language-model.ts';
export * from './sse.ts';
