import fs from 'node:fs';
import { FEATURE_BUCKETS, injectionFeatures, scoringSegments } from './injection-features.ts';
import { type LinearModel, sigmoid } from './train-injection-classifier.ts';

/**
 * Where a text comes from. Documents are held to a stricter threshold than questions, because a
 * flagged document is quarantined whole; a passage retrieved into a prompt only loses its flagged
 * sentences, so it can be screened more closely.
 */
export type InjectionChannel = 'question' | 'document' | 'passage';

/** The shipped weights file: the model, its thresholds, and how it was made. */
export interface InjectionClassifierFile extends LinearModel {
  format: 'cairn-injection-classifier/v1';
  /** Score at or above which a text is an attack, per channel (chosen on the dev split). */
  thresholds: Record<InjectionChannel, number>;
  buckets: number;
  [key: string]: unknown;
}

/** The classifier's reading of one text. */
export interface InjectionClassification {
  /** Highest attack probability over the text's segments, 0 to 1. */
  score: number;
  /** The segment that scored highest. */
  segment: string;
  threshold: number;
  flagged: boolean;
}

const MODEL_URL = new URL('./models/injection-classifier.json', import.meta.url);

interface LoadedModel {
  file: InjectionClassifierFile;
  weights: Float32Array;
}

let loaded: LoadedModel | undefined;

/** The shipped weights file, read once. */
export function injectionClassifierFile(): InjectionClassifierFile {
  return model().file;
}

function model(): LoadedModel {
  if (!loaded) loaded = loadModel(JSON.parse(fs.readFileSync(MODEL_URL, 'utf8')) as InjectionClassifierFile);
  return loaded;
}

/** Expands the int8 weights of a model file for scoring. */
export function loadModel(file: InjectionClassifierFile): LoadedModel {
  const bytes = new Int8Array(Buffer.from(file.weights, 'base64'));
  const weights = new Float32Array(FEATURE_BUCKETS);
  for (let i = 0; i < bytes.length; i++) weights[i] = (bytes[i] as number) * file.scale;
  return { file, weights };
}

/** Attack probability of one segment under a model. */
export function scoreSegment(text: string, using: LoadedModel = model()): number {
  const { indices, values } = injectionFeatures(text);
  let z = using.file.bias;
  for (let k = 0; k < indices.length; k++) {
    z += (using.weights[indices[k] as number] as number) * (values[k] as number);
  }
  return sigmoid(z);
}

/**
 * Scores a text with the learned injection classifier: each sentence (and pair of sentences) of a
 * long text is scored on its own and the highest score counts, so one planted order is not
 * averaged away by the rest of the document.
 */
export function classifyInjection(
  text: string,
  channel: InjectionChannel = 'question',
  using: LoadedModel = model(),
): InjectionClassification {
  let score = 0;
  let segment = '';
  for (const piece of scoringSegments(text)) {
    const value = scoreSegment(piece, using);
    if (value > score) {
      score = value;
      segment = piece;
    }
  }
  // A weights file from before the passage screen has no passage threshold: use the document one.
  const threshold = using.file.thresholds[channel] ?? using.file.thresholds.document;
  return { score, segment, threshold, flagged: score >= threshold };
}
