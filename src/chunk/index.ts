export * from './count-tokens.ts';
export * from './create-chunker.ts';
export * from './parent-child-chunker.ts';
export * from './split-sentences.ts';
export * from './split-token-windows.ts';
export * from './structure-chunker.ts';
export type * from './text-span.ts';
export * from './token-window-chunker.ts';
