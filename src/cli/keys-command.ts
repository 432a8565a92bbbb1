import { type ApiKeyRecord, ROLES, type Role, TENANT_PATTERN } from '../server/api-keys.ts';
import { CairnError } from '../spec/index.ts';
import { openDomains } from '../store/open-storage.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const KEYS_HELP = `Usage:
  cairn keys create --tenant NAME --role ROLE [--label TEXT] [--json]
  cairn keys list [--tenant NAME] [--json]
  cairn keys revoke ID [--tenant NAME]

Manages the API keys of an existing index directly (no server needed; create the index first
with cairn ingest or cairn serve). A key belongs to one tenant
(namespace) and has one role: reader (search, ask), writer (also documents), admin (also the
tenant's keys, eval runs, audit, usage) or operator (also the keys of any tenant, over the API).
Creating the first key of a tenant creates the tenant. The secret is printed once, by create;
only its sha256 hash is stored, so list shows ids with the secret masked.

Options:
  --tenant NAME   the tenant: required for create; list and revoke narrow to it
  --role ROLE     reader | writer | admin | operator (create)
  --label TEXT    a note on what the key is for (create)
  --json          create: {key, record}; list: the records
  --index FILE, --config FILE
`;

/** `cairn keys create|list|revoke`: API keys of any tenant, straight from the index's key store. */
export async function keysCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('keys', args, {
    tenant: { type: 'string' },
    role: { type: 'string' },
    label: { type: 'string' },
    json: { type: 'boolean' },
    index: { type: 'string' },
    help: { type: 'boolean' },
  });
  const [action, ...rest] = positionals;
  if (values.help || action === 'help') {
    context.stdout.write(KEYS_HELP);
    return EXIT.ok;
  }
  if (action === undefined) {
    context.stderr.write(KEYS_HELP);
    return EXIT.usage;
  }
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    throw new CairnError(
      'invalid_option',
      `unknown keys action "${action}": use create, list or revoke. See: cairn keys --help`,
    );
  if (values.tenant !== undefined && !TENANT_PATTERN.test(values.tenant))
    throw new CairnError(
      'invalid_option',
      `--tenant "${values.tenant}" must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit`,
    );
  const [id] = rest;
  if (action === 'revoke' && id === undefined)
    throw new CairnError('invalid_option', 'cairn keys revoke needs the key id (see cairn keys list)');
  const indexPath = values.index ?? context.config().config.index;
  // Keys live inside the index file: a file holding only keys would not open as an index later.
  requireIndex(indexPath);

  if (action === 'create') {
    if (values.tenant === undefined)
      throw new CairnError('invalid_option', 'cairn keys create needs --tenant NAME (the namespace)');
    if (values.role === undefined)
      throw new CairnError('invalid_option', `cairn keys create needs --role (${ROLES.join(', ')})`);
    if (!(ROLES as readonly string[]).includes(values.role))
      throw new CairnError(
        'invalid_option',
        `--role must be one of ${ROLES.join(', ')}, got "${values.role}"`,
      );
    const domains = await openDomains(indexPath);
    try {
      const created = await domains.apiKeys.create({
        tenant: values.tenant,
        role: values.role as Role,
        ...(values.label ? { label: values.label } : {}),
      });
      if (values.json) context.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else
        context.stdout.write(
          `${created.record.role} key ${created.record.id} for tenant "${created.record.tenant}" (shown once, store it now):\n  ${created.key}\n`,
        );
      return EXIT.ok;
    } finally {
      await domains.close();
    }
  }

  const domains = await openDomains(indexPath);
  const keys = domains.apiKeys;
  try {
    if (action === 'list') {
      const records = await keys.list(values.tenant);
      if (values.json) context.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      else context.stdout.write(formatKeys(records, values.tenant));
      return EXIT.ok;
    }
    const record = (await keys.list(values.tenant)).find((candidate) => candidate.id === id);
    if (!record || id === undefined || !(await keys.revoke(record.tenant, id)))
      throw new CairnError(
        'not_found',
        `no active key "${id}"${values.tenant ? ` in tenant "${values.tenant}"` : ''} (see cairn keys list)`,
      );
    context.stdout.write(`revoked ${record.role} key ${id} of tenant "${record.tenant}"\n`);
    return EXIT.ok;
  } finally {
    await domains.close();
  }
}

/** One line per key; the secret is shown as its public prefix (`cairn_<id>_`) and stars. */
function formatKeys(records: ApiKeyRecord[], tenant: string | undefined): string {
  if (records.length === 0)
    return `no active keys${tenant ? ` for tenant "${tenant}"` : ''}: cairn keys create --tenant NAME --role ROLE\n`;
  const rows = records.map((record) => [
    record.id,
    `cairn_${record.id}_********`,
    record.tenant,
    record.role,
    record.createdAt.slice(0, 19),
    record.label,
  ]);
  const header = ['id', 'key', 'tenant', 'role', 'created', 'label'];
  const widths = header.map((_, i) =>
    Math.max(header[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
