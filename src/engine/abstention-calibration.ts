import { createHash } from 'node:crypto';
import type { IndexSettingsStore, Store, StoredDocument } from '../spec/index.ts';

/** The store setting under which an index keeps its abstention calibration. */
export const CALIBRATION_SETTING = 'abstention.calibration';

/** Share of documents added, removed or changed since calibration past which it is redone. @default 0.2 */
export const RECALIBRATE_AFTER_CHANGE = 0.2;

/** Five-number summary (plus mean) of one group of evidence scores. */
export interface ScoreSummary {
  n: number;
  min: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  max: number;
  mean: number;
}

/** What `cairn calibrate` chose and why, as recorded in the index. */
export interface AbstentionCalibration {
  version: 1;
  /** Evidence score below which the extractive answerer abstains on this index. */
  threshold: number;
  /** The largest share of present-document probes allowed to abstain. */
  targetFalseAbstention: number;
  /** Share of held-out probes that abstain at the threshold (evidence or unanswerable terms). */
  expectedTrueAbstention: number;
  /** Share of present-document probes that abstain at the threshold. */
  expectedFalseAbstention: number;
  /** Evidence scores of probes whose document is in the index. */
  present: ScoreSummary;
  /** Evidence scores of probes whose document was held out of retrieval. */
  heldOut: ScoreSummary;
  /** Probes of each group stopped by the unanswerable-terms check. */
  unanswerableTerms: { present: number; heldOut: number };
  seed: number;
  embedderId: string;
  calibratedAt: string;
  durationMs: number;
  /** Documents in the namespace when calibrated, and a short fingerprint of each (id + content hash). */
  documents: number;
  fingerprints: string[];
}

/**
 * Where calibrations are recorded: the index settings domain, or a document store (which keeps
 * the same per-namespace settings).
 */
export type CalibrationSettings = Pick<IndexSettingsStore, 'getSetting' | 'setSetting'>;

/** The calibration recorded for a namespace, or undefined when it was never calibrated. */
export async function readCalibration(
  settings: CalibrationSettings,
  namespace: string,
): Promise<AbstentionCalibration | undefined> {
  const raw = await settings.getSetting(namespace, CALIBRATION_SETTING);
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as AbstentionCalibration;
    return parsed.version === 1 && typeof parsed.threshold === 'number' ? parsed : undefined;
  } catch {
    // A damaged setting is treated as absent; the next calibration overwrites it.
    return undefined;
  }
}

/** Records a calibration for a namespace, replacing the previous one. */
export async function writeCalibration(
  settings: CalibrationSettings,
  namespace: string,
  calibration: AbstentionCalibration,
): Promise<void> {
  await settings.setSetting(namespace, CALIBRATION_SETTING, JSON.stringify(calibration));
}

/** Sorted short fingerprints (id + content hash) of a namespace's documents. */
export function documentFingerprints(documents: StoredDocument[]): string[] {
  return documents
    .map((document) =>
      createHash('sha256').update(`${document.id}\u0000${document.contentHash}`).digest('hex').slice(0, 12),
    )
    .sort();
}

/**
 * How much the corpus changed since a calibration: the larger of the share of calibrated
 * documents now gone or changed and the share of new or changed ones, relative to the count then.
 */
export function corpusChange(calibration: AbstentionCalibration, documents: StoredDocument[]): number {
  const before = new Set(calibration.fingerprints);
  const now = new Set(documentFingerprints(documents));
  let gone = 0;
  for (const fingerprint of before) if (!now.has(fingerprint)) gone++;
  let added = 0;
  for (const fingerprint of now) if (!before.has(fingerprint)) added++;
  return Math.max(gone, added) / Math.max(1, before.size);
}

/** True when the namespace was never calibrated or changed by more than {@link RECALIBRATE_AFTER_CHANGE}. */
export async function needsCalibration(
  store: Store,
  namespace: string,
  threshold = RECALIBRATE_AFTER_CHANGE,
  settings: CalibrationSettings = store,
): Promise<boolean> {
  const calibration = await readCalibration(settings, namespace);
  if (!calibration || calibration.embedderId !== store.info.embedderId) return true;
  return corpusChange(calibration, await store.listDocuments(namespace)) > threshold;
}
