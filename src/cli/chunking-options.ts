import { type ChunkingConfig, createChunker } from '../chunk/index.ts';
import type { CairnConfig } from '../config/index.ts';
import type { EmbedderEndpoint } from '../embed/index.ts';
import { choiceOption, integerOption } from './parse-options.ts';

/** Options every command that builds an index accepts. */
export const CHUNKING_OPTIONS = {
  chunker: { type: 'string' },
  'chunk-size': { type: 'string' },
  'chunk-overlap': { type: 'string' },
  'child-size': { type: 'string' },
} as const;

/** Builds and validates a chunking config from parsed flags, falling back to the configured one. */
export function chunkingFromFlags(
  values: {
    chunker?: string | undefined;
    'chunk-size'?: string | undefined;
    'chunk-overlap'?: string | undefined;
    'child-size'?: string | undefined;
  },
  defaults: ChunkingConfig,
): ChunkingConfig {
  const config: ChunkingConfig = {
    strategy: choiceOption(
      'chunker',
      values.chunker,
      ['structure', 'token-window', 'parent-child'],
      defaults.strategy,
    ),
    maxTokens: integerOption('chunk-size', values['chunk-size'], defaults.maxTokens, 16),
    overlapTokens: integerOption('chunk-overlap', values['chunk-overlap'], defaults.overlapTokens, 0),
    childMaxTokens: integerOption('child-size', values['child-size'], defaults.childMaxTokens, 8),
  };
  createChunker(config);
  return config;
}

/** The embedder endpoint settings of a configuration. */
export function embedderEndpoint(config: CairnConfig): EmbedderEndpoint {
  const { baseURL, apiKey, dimensions, threads } = config.embedder;
  return {
    ...(baseURL ? { baseURL } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(dimensions ? { dimensions } : {}),
    ...(threads ? { threads } : {}),
  };
}
