import fs from 'node:fs';
import { CairnError } from '../spec/index.ts';

/**
 * Takes `<index>.lock` for one serving process. A lock left by a process that no longer exists
 * is taken over; a live holder is an `index_locked` error naming its pid.
 */
export function acquireIndexLock(indexPath: string): { release(): void } {
  const file = `${indexPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return {
        release() {
          fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) {
        throw new CairnError(
          'index_locked',
          `${indexPath} is served by another cairn process (pid ${holder}); stop it, or serve another --index`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new CairnError('index_locked', `could not take ${file}; remove it if no cairn process is running`);
}

/** True while a process with this pid exists (one of another user's counts: it cannot be signalled). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
