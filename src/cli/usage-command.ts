import { openDomains } from '../store/open-storage.ts';
import { createUsageLedger, type UsageRow, utcDay } from '../usage/index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { integerOption, parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const USAGE_HELP = `Usage: cairn usage [--days N] [--tenant NAME] [--json]

Tokens and cost per tenant, model and UTC day, from every answer the CLI and the server gave
(cached answers count as requests with no tokens), with each tenant's standing against its
daily budget (config: budgets).

Options:
  --days N        days to show, today included (default: 7)
  --tenant NAME   one tenant (namespace) only
  --json          rows as JSON
  --index FILE, --config FILE
`;

/** `cairn usage`: the usage ledger as a table, with totals and today's budget standing. */
export async function usageCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('usage', args, {
    index: { type: 'string' },
    days: { type: 'string' },
    tenant: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(USAGE_HELP);
    return EXIT.ok;
  }
  const days = integerOption('days', values.days, 7, 1);
  const { config } = context.config();
  const indexPath = values.index ?? config.index;
  requireIndex(indexPath);
  const domains = await openDomains(indexPath);
  const ledger = createUsageLedger(domains.usage);
  try {
    const since = utcDay(new Date(Date.now() - (days - 1) * 86_400_000));
    const rows = await ledger.report({ since, ...(values.tenant ? { tenant: values.tenant } : {}) });
    if (values.json) {
      context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      context.stdout.write(`no answers recorded since ${since}\n`);
      return EXIT.ok;
    }
    context.stdout.write(formatUsage(rows));
    for (const tenant of [...new Set(rows.map((row) => row.tenant))]) {
      const status = await ledger.standing(tenant, config.budgets);
      if (status.message) context.stdout.write(`${status.state}: ${status.message}\n`);
    }
    return EXIT.ok;
  } finally {
    await domains.close();
  }
}

/** A fixed-width table with a total line. */
export function formatUsage(rows: UsageRow[]): string {
  const header = [
    'day',
    'tenant',
    'model',
    'requests',
    'cached',
    'input tokens',
    'output tokens',
    'cost USD',
  ];
  const cells = rows.map((row) => [
    row.day,
    row.tenant,
    row.model,
    String(row.requests),
    String(row.cached),
    String(row.inputTokens),
    String(row.outputTokens),
    row.costUsd.toFixed(6),
  ]);
  const sum = (pick: (row: UsageRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  cells.push([
    'total',
    '',
    '',
    String(sum((row) => row.requests)),
    String(sum((row) => row.cached)),
    String(sum((row) => row.inputTokens)),
    String(sum((row) => row.outputTokens)),
    sum((row) => row.costUsd).toFixed(6),
  ]);
  const widths = header.map((_, i) =>
    Math.max(header[i]?.length ?? 0, ...cells.map((c) => c[i]?.length ?? 0)),
  );
  const line = (cols: string[]) =>
    cols.map((col, i) => (i >= 3 ? col.padStart(widths[i] ?? 0) : col.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}
