import type { CairnErrorCode } from '../spec/index.ts';

/** Process exit codes; documented in the README, so never renumber. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The run finished but some inputs failed (listed in the output). */
  partial: 3,
  /** The index cannot be used as asked (missing, embedder mismatch, locked, unreadable). */
  index: 4,
  /** A provider call failed, or the answer missed its deadline. */
  provider: 5,
  /** An evaluation regressed past a `--fail-on` rule. */
  regression: 6,
} as const;

/** Exit code for an error code. */
export function exitCodeFor(code: CairnErrorCode): number {
  switch (code) {
    case 'invalid_option':
    case 'dataset_invalid':
      return EXIT.usage;
    case 'embedder_mismatch':
    case 'dimension_mismatch':
    case 'index_locked':
    case 'index_not_found':
      return EXIT.index;
    case 'api_call_failed':
    case 'deadline_exceeded':
      return EXIT.provider;
    default:
      return EXIT.failure;
  }
}
