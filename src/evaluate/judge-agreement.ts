/** Agreement between a judge's binary verdicts and human labels. */
export interface AgreementStats {
  n: number;
  /** Share of items where judge and human agree. */
  agreement: number;
  /** Cohen's kappa: agreement corrected for chance; null when undefined (one class only). */
  kappa: number | null;
  /** Per verdict: precision and recall of the judge, treating the human label as truth. */
  perVerdict: Record<
    'positive' | 'negative',
    { precision: number | null; recall: number | null; support: number }
  >;
  /** Counts: [human positive & judge positive, human positive & judge negative, ...]. */
  confusion: { tp: number; fn: number; fp: number; tn: number };
}

/**
 * Agreement, Cohen's kappa and per-class precision/recall of binary judgements.
 * kappa = (p_o - p_e) / (1 - p_e), with p_e from each rater's marginal rates.
 */
export function agreementStats(pairs: { human: boolean; judge: boolean }[]): AgreementStats {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (const { human, judge } of pairs) {
    if (human && judge) tp++;
    else if (human && !judge) fn++;
    else if (!human && judge) fp++;
    else tn++;
  }
  const n = pairs.length;
  const observed = n === 0 ? 0 : (tp + tn) / n;
  const humanPositive = (tp + fn) / (n || 1);
  const judgePositive = (tp + fp) / (n || 1);
  const expected = humanPositive * judgePositive + (1 - humanPositive) * (1 - judgePositive);
  const kappa = n === 0 || expected === 1 ? null : (observed - expected) / (1 - expected);
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    n,
    agreement: observed,
    kappa,
    perVerdict: {
      positive: { precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), support: tp + fn },
      negative: { precision: ratio(tn, tn + fn), recall: ratio(tn, tn + fp), support: tn + fp },
    },
    confusion: { tp, fn, fp, tn },
  };
}

/** Landis & Koch's reading of kappa, used to say how far a judge can be trusted. */
export function describeKappa(kappa: number | null): string {
  if (kappa === null) return 'undefined';
  if (kappa < 0.2) return 'slight: do not trust';
  if (kappa < 0.4) return 'fair: do not trust';
  if (kappa < 0.6) return 'moderate: trust for trends only';
  if (kappa < 0.8) return 'substantial: trust';
  return 'almost perfect: trust';
}
