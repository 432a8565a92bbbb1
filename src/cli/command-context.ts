import type { LoadedConfig } from '../config/index.ts';

/** What a command needs from its process, passed in so commands stay testable. */
export interface CommandContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** The effective configuration (file + environment), loaded on first use and validated. */
  config(): LoadedConfig;
  /** Set by `--debug`: stack traces, and commands may say more on stderr. */
  debug?: boolean;
}
