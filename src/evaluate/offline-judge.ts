import { splitSentences } from '../chunk/split-sentences.ts';
import { embedMany } from '../embed/embed-many.ts';
import { dot } from '../embed/normalize-vector.ts';
import type { EmbeddingModel, Judge, RelevanceVerdict, SupportVerdict } from '../spec/index.ts';
import { contentTerms } from '../text/content-terms.ts';

/** Settings of the offline judge. */
export interface OfflineJudgeOptions {
  embedder: EmbeddingModel;
  /**
   * Support score at or above which a statement counts as supported. `npx tsx bench/judge-agreement.ts`
   * reports agreement at this value and at the best value on the dev labels. @default 0.62
   */
  supportThreshold?: number;
}

/** Default support threshold; see {@link OfflineJudgeOptions.supportThreshold}. */
export const DEFAULT_SUPPORT_THRESHOLD = 0.62;

/**
 * A judge that needs no LLM: a statement is supported when some sentence of the context both
 * means the same (embedding cosine) and contains its content words (stemmed term coverage).
 * Mismatched numbers or negation halve the score. It is a proxy: it cannot follow paraphrase,
 * arithmetic or entity swaps, which the judge-check report shows.
 */
export function createOfflineJudge(options: OfflineJudgeOptions): Judge {
  const threshold = options.supportThreshold ?? DEFAULT_SUPPORT_THRESHOLD;
  const cache = new Map<string, Float32Array>();
  const vectors = async (texts: string[]) => {
    const missing = [...new Set(texts.filter((text) => !cache.has(text)))];
    if (missing.length > 0) {
      const { embeddings } = await embedMany(options.embedder, missing);
      missing.forEach((text, index) => {
        cache.set(text, embeddings[index] as Float32Array);
      });
    }
    return texts.map((text) => cache.get(text) as Float32Array);
  };

  return {
    id: `offline:${options.embedder.provider}:${options.embedder.modelId}`,
    kind: 'offline',
    async judgeSupport({ statement, context }): Promise<SupportVerdict> {
      const claim = stripCitations(statement);
      const sentences = splitSentences(context)
        .map((span) => span.text.trim())
        .filter((text) => text.length > 0);
      if (claim === '' || sentences.length === 0)
        return { supported: false, score: 0, reason: 'empty statement or context' };
      const [claimVector, ...sentenceVectors] = await vectors([claim, ...sentences]);
      const claimTerms = new Set(contentTerms(claim));
      let best = { score: 0, sentence: '', coverage: 0, cosine: 0 };
      sentences.forEach((sentence, index) => {
        const cosine = dot(claimVector as Float32Array, sentenceVectors[index] as Float32Array);
        const sentenceTerms = new Set(contentTerms(sentence));
        const covered = [...claimTerms].filter((term) => sentenceTerms.has(term)).length;
        const coverage = claimTerms.size === 0 ? 0 : covered / claimTerms.size;
        // Numbers must match exactly: "30 days" is not supported by "90 days".
        const numbersMatch = numbersOf(claim).every((number) => numbersOf(sentence).includes(number));
        // A claim that negates what the sentence asserts (or the reverse) shares its words but not its meaning.
        const polarityMatches = isNegated(claim) === isNegated(sentence);
        const score =
          (0.5 * cosine + 0.5 * coverage) * (numbersMatch ? 1 : 0.5) * (polarityMatches ? 1 : 0.5);
        if (score > best.score) best = { score, sentence, coverage, cosine };
      });
      const supported = best.score >= threshold;
      return {
        supported,
        score: Math.max(0, Math.min(1, best.score)),
        reason: `best match (cosine ${best.cosine.toFixed(2)}, term coverage ${best.coverage.toFixed(2)}): "${truncate(best.sentence)}"`,
      };
    },
    async judgeRelevance(question, answer): Promise<RelevanceVerdict> {
      const [questionVector, answerVector] = await vectors([question, stripCitations(answer)]);
      const cosine = dot(questionVector as Float32Array, answerVector as Float32Array);
      return {
        score: Math.max(0, Math.min(1, cosine)),
        reason: `cosine(question, answer) = ${cosine.toFixed(2)}`,
      };
    },
    usage: () => ({ inputTokens: 0, outputTokens: 0, costUsd: 0 }),
  };
}

/** Removes `[n]` citation markers so they do not count as content. */
export function stripCitations(text: string): string {
  return text
    .replace(/\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const NEGATION = /\b(?:not|no|never|none|cannot|without|neither|nor)\b|n't\b/i;

function isNegated(text: string): boolean {
  return NEGATION.test(text);
}

function numbersOf(text: string): string[] {
  return (text.match(/\d+(?:[.,]\d+)?/g) ?? []).map((number) => number.replace(',', ''));
}

function truncate(text: string): string {
  return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}
