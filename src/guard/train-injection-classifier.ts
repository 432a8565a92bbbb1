import { FEATURE_BUCKETS, injectionFeatures } from './injection-features.ts';

/** One labelled text to train on; `weight` evens out sources of different sizes. */
export interface TrainingExample {
  text: string;
  attack: boolean;
  /** @default 1 */
  weight?: number;
}

/** Settings of the logistic-regression fit. */
export interface TrainingOptions {
  /** @default 24 */
  epochs?: number;
  /** @default 0.5 */
  learningRate?: number;
  /** L2 penalty per step on the weights an example touches. @default 1e-5 */
  l2?: number;
  /** Seed of the shuffle. @default 12 */
  seed?: number;
}

/** A fitted model: int8 weights over the hashed buckets, their scale, and the bias. */
export interface LinearModel {
  bias: number;
  scale: number;
  /** Int8 weights, base64. */
  weights: string;
}

/**
 * Fits logistic regression over the hashed features of the examples by stochastic gradient
 * descent in a seeded order, then quantises the weights to int8. The same examples and options
 * give the same model, byte for byte.
 */
export function trainInjectionClassifier(
  examples: TrainingExample[],
  options: TrainingOptions = {},
): LinearModel {
  const epochs = options.epochs ?? 24;
  const learningRate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-5;
  const random = mulberry32(options.seed ?? 12);
  const features = examples.map((example) => injectionFeatures(example.text));
  const weights = new Float64Array(FEATURE_BUCKETS);
  let bias = 0;
  const order = examples.map((_, index) => index);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    const rate = learningRate / (1 + epoch * 0.25);
    for (const index of order) {
      const { indices, values } = features[index] as ReturnType<typeof injectionFeatures>;
      const example = examples[index] as TrainingExample;
      let z = bias;
      for (let k = 0; k < indices.length; k++)
        z += (weights[indices[k] as number] as number) * (values[k] as number);
      const gradient = (sigmoid(z) - (example.attack ? 1 : 0)) * (example.weight ?? 1);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k] as number;
        const w = weights[i] as number;
        weights[i] = w - rate * (gradient * (values[k] as number) + l2 * w);
      }
      bias -= rate * gradient * 0.1;
    }
  }
  return quantise(weights, bias);
}

function quantise(weights: Float64Array, bias: number): LinearModel {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max > 0 ? max / 127 : 1;
  const bytes = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) bytes[i] = Math.round((weights[i] as number) / scale);
  // Six significant digits keep the file stable to read and the score unchanged in practice.
  return {
    bias: Number(bias.toPrecision(6)),
    scale: Number(scale.toPrecision(6)),
    weights: Buffer.from(bytes.buffer).toString('base64'),
  };
}

/** The logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(order: number[], random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
}
