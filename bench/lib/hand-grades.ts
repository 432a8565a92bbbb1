import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** A person's verdict on one answer: right, right but incomplete or padded, or wrong. */
export type HandGrade = 'correct' | 'partial' | 'wrong';

/** One line of a hand-grades file: the grade of the answer whose text hashes to `answer_sha256`. */
export interface HandGradeEntry {
  id: string;
  answer_sha256: string;
  grade: HandGrade;
  /** Day of grading, YYYY-MM-DD. */
  graded_on: string;
  /** The commit the answers were produced on (the working tree may have held uncommitted work). */
  commit: string;
  note?: string;
}

/** The sha256 (hex) of an answer's text, exactly as the pipeline returned it. */
export function answerHash(answer: string): string {
  return createHash('sha256').update(answer).digest('hex');
}

/** Reads a hand-grades JSONL file keyed by `id` + answer hash; a missing file reads as no grades. */
export function loadHandGrades(file: string): Map<string, HandGradeEntry> {
  const grades = new Map<string, HandGradeEntry>();
  if (!fs.existsSync(file)) return grades;
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      const entry = JSON.parse(line) as HandGradeEntry;
      if (!['correct', 'partial', 'wrong'].includes(entry.grade) || !entry.id || !entry.answer_sha256) {
        throw new Error(`${file}:${index + 1}: a grade needs id, answer_sha256 and correct|partial|wrong`);
      }
      grades.set(gradeKey(entry.id, entry.answer_sha256), entry);
    });
  return grades;
}

/** The lookup key of a grade. */
export function gradeKey(id: string, sha256: string): string {
  return `${id}\t${sha256}`;
}

/** Hand-graded counts over answers; an answer whose text has no matching grade counts as ungraded. */
export interface GradeTally {
  correct: number;
  partial: number;
  wrong: number;
  ungraded: number;
}

/** Tallies the grades of `answers` (id and answer text) against `grades`. */
export function tallyGrades(
  answers: readonly { id: string; answer: string }[],
  grades: ReadonlyMap<string, HandGradeEntry>,
): GradeTally {
  const tally: GradeTally = { correct: 0, partial: 0, wrong: 0, ungraded: 0 };
  for (const { id, answer } of answers) {
    const entry = grades.get(gradeKey(id, answerHash(answer)));
    tally[entry ? entry.grade : 'ungraded'] += 1;
  }
  return tally;
}
