import { Writable } from 'node:stream';
import { loadConfig } from '../../config/index.ts';
import type { CommandContext } from '../command-context.ts';
import { runCli } from '../main.ts';

/** What one in-process `cairn` invocation printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/**
 * Runs `cairn <args>` in this process, with the configuration read from `dir` and `env` only
 * (never the developer's own environment), and captures its output.
 */
export async function cairnIn(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const context: CommandContext = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    config: () => loadConfig({ cwd: dir, env }),
  };
  const code = await runCli(args, context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
