import { CairnError } from './errors.ts';

/** An input file or record that cannot be used, named by path with the reason and the fix. */
export class InvalidInputError extends CairnError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('invalid_input', `${path}: ${reason}`, options);
    this.name = 'InvalidInputError';
    this.path = path;
    this.reason = reason;
  }
}
