/** One of the values that retrieved passages give for the same thing. */
export interface ConflictValue {
  /** The value as written in the first passage that gives it, e.g. `Millbrook, Oregon` or `90`. */
  value: string;
  /** Passage numbers (`[n]`) that state this value. */
  citations: number[];
  /** Documents of those passages, in citation order. */
  docIds: string[];
  /** Newest date known for those documents (`YYYY-MM-DD` or `YYYY-MM`), from metadata or a dateline. */
  date?: string;
}

/**
 * Passages that make the same claim with different values (numbers, dates, names, versions): the
 * sources disagree, so no single value should be stated as fact.
 */
export interface Conflict {
  /** The claim with the value left out, e.g. `Harrowgate bridge will reopen on … , after the repairs`. */
  subject: string;
  /** At least two values, each with the passages that state it. */
  values: ConflictValue[];
  /**
   * The value of the newer source, when it is known: a later date on every side (`date`), or the
   * other side's documents are marked `superseded_by` it (`superseded_by`).
   */
  newer?: { value: string; citations: number[]; date?: string; basis: 'date' | 'superseded_by' };
}
