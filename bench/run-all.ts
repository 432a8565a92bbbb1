/**
 * Re-runs every benchmark whose figure the README quotes and prints each figure beside the
 * README's value, so a slower engine (or a stale README) shows at once.
 *
 *   npm run bench [-- --quick] [-- --only server-load]
 *
 * `--quick` leaves out the benchmarks marked slow (see bench/readme-figures.ts); `--only PREFIX`
 * runs the figures whose id starts with PREFIX. Run it on an otherwise idle machine.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { readFigures } from './lib/figures.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { README_FIGURES, readmeNumber } from './readme-figures.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const selected = README_FIGURES.filter(
  (figure) => (!values.quick || !figure.slow) && (!values.only || figure.id.startsWith(values.only)),
);
const since = new Date();
const commands = [...new Map(selected.map((figure) => [figure.command.join(' '), figure.command])).values()];
const failed: string[] = [];
for (const command of commands) {
  process.stderr.write(`\n=== npx tsx ${command.join(' ')}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', ...command], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(command.join(' '));
}
const measured = readFigures(since);
console.log(
  `\nREADME figures re-measured (${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)})\n`,
);
console.log(
  markdownTable(
    ['figure', 'README', 'now', 'change'],
    selected.map((figure) => {
      const now = measured.get(figure.id);
      const then = readmeNumber(figure);
      return [
        figure.what,
        String(then),
        now === undefined ? 'not measured' : fixed(now, 2),
        now === undefined || then === 0
          ? '—'
          : `${now >= then ? '+' : ''}${fixed(((now - then) / then) * 100, 0)}%`,
      ];
    }),
  ),
);
if (failed.length > 0) {
  console.log(`\nbenchmarks that failed: ${failed.join('; ')}`);
  process.exitCode = 1;
}
