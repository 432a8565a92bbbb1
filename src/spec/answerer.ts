import type { ChunkMetadata } from './chunk.ts';
import type { Conflict } from './conflict.ts';
import type { FinishReason, LanguageModelUsage } from './language-model.ts';

/** A retrieved passage as shown to an answerer, numbered from 1 for citations (`[n]`). */
export interface Passage {
  n: number;
  chunkId: string;
  docId: string;
  source: string;
  title: string;
  text: string;
  score: number;
  metadata: ChunkMetadata;
  /** Document metadata (e.g. `updated`, `superseded_by`), for recency and conflict handling. */
  documentMetadata?: Record<string, string | number | boolean>;
}

/** What an answerer is asked. */
export interface AnswerRequest {
  question: string;
  passages: Passage[];
  /** The question's embedding from retrieval, reused by answerers that compare meanings. */
  questionEmbedding?: Float32Array;
  /**
   * The index's own calibrated abstention threshold (`cairn calibrate`). Answerers with an
   * evidence score use it unless they were given a threshold explicitly.
   */
  abstainThreshold?: number;
  abortSignal?: AbortSignal;
  /**
   * Set when a previous attempt broke the grounding policy: what was wrong with it, phrased as an
   * instruction. Answerers that can take feedback (LLMs) include it.
   */
  retryReason?: string;
  /**
   * Passages that disagree on a value (found before generation). Answerers that write free text
   * (LLMs) are told, so they name the disagreement instead of picking one value.
   */
  conflicts?: Conflict[];
  /** Receives text as it is produced (streaming answerers call it per token). */
  onToken?: (delta: string) => void;
}

/** An answer before citation checking: text with `[n]` markers. */
export interface AnswerDraft {
  text: string;
  abstained: boolean;
  /** Machine-readable reason when abstained, e.g. `weak_evidence`, `model_declined`. */
  abstainReason?: string;
  /** Strength of the best evidence, for answerers that compute one (extractive). */
  evidenceScore?: number;
  usage: LanguageModelUsage;
  /** Why the model stopped, for answerers backed by a language model. */
  finishReason?: FinishReason;
  /** The model that produced the answer (`extractive` for the offline answerer). */
  modelId: string;
  /** Prompt template version, for LLM answerers. */
  promptVersion?: string;
  warnings: string[];
}

/** Turns a question and retrieved passages into a cited answer. */
export interface Answerer {
  readonly id: string;
  /** Same passages, same answer: a retry cannot help, so the grounding policy skips it. */
  readonly deterministic?: boolean;
  answer(request: AnswerRequest): Promise<AnswerDraft>;
}
