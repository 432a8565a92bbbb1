import { z } from 'zod';
import {
  answererSchema,
  cacheSchema,
  chunkingSchema,
  configSchema,
  embedderSchema,
  fusionSchema,
  guardSchema,
  pricesSchema,
  retrievalSchema,
} from './config-schema.ts';

// Run-time schemas of the library's options, built from the configuration's sections so a value
// the config file would refuse is refused here too, with the same message. Top levels are loose
// (objects such as the store and callbacks are not described here, and new options need no edit
// here to be accepted); the config-shaped parts are strict like the config, so a typo in them
// fails instead of silently doing nothing.

const object = (what: string) =>
  z.custom<object>((value) => typeof value === 'object' && value !== null, { message: `expected ${what}` });
const callback = z
  .custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    message: 'expected a function',
  })
  .optional();
const abortSignal = z.instanceof(AbortSignal, { message: 'expected an AbortSignal' }).optional();
const namespace = configSchema.shape.namespace.unwrap().optional();
const traceParent = z.looseObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex digits'),
  spanId: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 lowercase hex digits'),
  sampled: z.boolean(),
});

/** Options of `openIndex()`. */
export const openIndexOptionsSchema = z.looseObject({
  indexPath: configSchema.shape.index.unwrap(),
  embedder: embedderSchema.shape.model.unwrap().optional(),
  fallbackEmbedder: embedderSchema.shape.model.unwrap().optional(),
  endpoint: embedderSchema.omit({ model: true }).optional(),
  reembed: z.boolean().optional(),
  createDirectories: z.boolean().optional(),
});

/** Options of `ingestPath()`. */
export const ingestOptionsSchema = z.looseObject({
  store: object('a Store'),
  embedder: object('an EmbeddingModel'),
  chunking: chunkingSchema,
  inputPath: z.string().min(1),
  namespace,
  prune: z.boolean().optional(),
  maxFileBytes: z.number().int().min(1).optional(),
  embedBatchSize: z.number().int().min(1).optional(),
  scanInjection: guardSchema.shape.scanDocuments.unwrap().optional(),
  redactPii: guardSchema.shape.redactDocuments.unwrap().optional(),
  onProgress: callback,
  traceExporter: object('a TraceExporter').optional(),
  abortSignal,
});

/** The `retrieval` option of `ask()`: the config's `retrieval` section plus review access. */
export const askRetrievalSchema = retrievalSchema.extend({ includeQuarantined: z.boolean().optional() });

/** Options of `ask()`. */
export const askOptionsSchema = z.looseObject({
  store: object('a Store'),
  embedder: object('an EmbeddingModel'),
  answerer: object('an Answerer'),
  question: z.string(),
  namespace,
  retrieval: askRetrievalSchema.optional(),
  traceStore: object('a TraceStore').optional(),
  traceExporter: object('a TraceExporter').optional(),
  traceParent: traceParent.optional(),
  prices: pricesSchema.optional(),
  abstainWithoutCitations: answererSchema.shape.abstainWithoutCitations.unwrap().optional(),
  fallbackAnswerer: object('an Answerer').optional(),
  screenQuestion: guardSchema.shape.scanQuestions.unwrap().optional(),
  screenPassages: guardSchema.shape.screenPassages.unwrap().optional(),
  routing: z
    .looseObject({
      cheap: object('an Answerer'),
      longContextTokens: z.number().int().min(1),
      escalateOnAbstain: z.boolean(),
    })
    .optional(),
  cache: z
    .looseObject({
      cache: object('an AnswerCache'),
      semanticSimilarity: cacheSchema.shape.semanticSimilarity.unwrap().unwrap().optional(),
      settings: z.string().optional(),
    })
    .optional(),
  onRetry: callback,
  redactAnswer: guardSchema.shape.redactAnswers.unwrap().optional(),
  onToken: callback,
  abortSignal,
  deadlineMs: answererSchema.shape.deadlineMs.unwrap().optional(),
});

/**
 * Options of `retrieve()`: the config's retrieval rules for mode, fusion and MMR; `k` and
 * `candidates` may exceed the config's limits (evaluations rank a few hundred).
 */
export const retrieveOptionsSchema = z.looseObject({
  store: object('a Store'),
  embedder: object('an EmbeddingModel'),
  query: z.string(),
  namespace,
  mode: retrievalSchema.shape.mode.unwrap().optional(),
  k: z.number().int().min(1).optional(),
  candidates: z.number().int().min(1).optional(),
  fusion: fusionSchema.optional(),
  mmr: z.object({ lambda: retrievalSchema.shape.mmrLambda }).strict().optional(),
  filter: object('a MetadataFilter').optional(),
  includeQuarantined: z.boolean().optional(),
  expandParents: retrievalSchema.shape.expandParents.unwrap().optional(),
  queryEmbedding: z
    .custom<Float32Array>((value) => ArrayBuffer.isView(value), { message: 'expected a Float32Array' })
    .optional(),
  traceStep: callback,
  abortSignal,
});
