import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI entry point as a user runs it. */
export const CAIRN_BIN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

/** A `cairn` process started by {@link spawnCairn}, with what it has printed so far. */
export interface CairnProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Its exit code, once it has exited and its output is read to the end. */
  exit: Promise<number | null>;
}

/**
 * Starts `node bin/cairn.js <args>` (or `node <entry...> <args>`, e.g. the sources through tsx)
 * and collects its output, for tests and benchmarks whose point is a real process.
 */
export function spawnCairn(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; entry?: string[] },
): CairnProcess {
  const child = spawn(process.execPath, [...(options.entry ?? [CAIRN_BIN]), ...args], {
    cwd: options.cwd,
    env: options.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Resolves with the output once `pattern` matches it; rejects, with the output, if the process exits first. */
export function untilPrinted(process: CairnProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (!pattern.test(process.stdout())) return;
      clearInterval(timer);
      resolve(process.stdout());
    }, 50);
    void process.exit.then(() => {
      clearInterval(timer);
      reject(new Error(`cairn exited before printing ${pattern}:\n${process.stdout()}${process.stderr()}`));
    });
  });
}
