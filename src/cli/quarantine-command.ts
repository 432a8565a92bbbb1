import { openIndexStorage } from '../engine/index.ts';
import { CairnError } from '../spec/index.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { closestMatch } from './did-you-mean.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const QUARANTINE_HELP = `Usage: cairn quarantine [list] [--json]     documents held back for prompt injection
       cairn quarantine release <docId>      allow a reviewed document into retrieval
       cairn quarantine hold <docId>         hold a document back by hand

Ingest scans every document; one that reads like instructions to the model is stored but left
out of search and answers until released. A released document stays released until its content
changes (then it is scanned again). Options: --index FILE, --namespace NAME, --config FILE
`;

/** `cairn quarantine`: lists quarantined documents with what was found, releases or holds one. */
export async function quarantineCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('quarantine', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(QUARANTINE_HELP);
    return EXIT.ok;
  }
  const [action = 'list', docId] = positionals;
  if (!['list', 'release', 'hold'].includes(action)) {
    const suggestion = closestMatch(action, ['list', 'release', 'hold']);
    throw new CairnError(
      'invalid_option',
      `unknown quarantine action "${action}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: use list, release or hold`,
    );
  }
  if (action !== 'list' && !docId) {
    throw new CairnError(
      'invalid_option',
      `cairn quarantine ${action} needs a document id (see: cairn quarantine list)`,
    );
  }
  const { config } = context.config();
  const indexPath = values.index ?? config.index;
  requireIndex(indexPath);
  const namespace = values.namespace ?? config.namespace;
  const opened = await openIndexStorage({ indexPath });
  const { store } = opened.storage;
  try {
    if (action === 'list') {
      const held = (await store.listDocuments(namespace)).filter((doc) => doc.quarantined);
      if (values.json) {
        context.stdout.write(`${JSON.stringify(held, null, 2)}\n`);
        return EXIT.ok;
      }
      if (held.length === 0) context.stdout.write(`no quarantined documents in namespace ${namespace}\n`);
      for (const doc of held) {
        const finding = doc.injection;
        context.stdout.write(
          `${doc.id}  ${doc.source}\n  ${finding?.category ?? 'held by hand'}${finding ? `: "${finding.excerpt}" (${finding.rules.join(', ')})` : ''}\n`,
        );
      }
      return EXIT.ok;
    }
    const changed = await store.setQuarantined(namespace, docId as string, action === 'hold');
    if (!changed) throw new CairnError('not_found', `no document "${docId}" in namespace ${namespace}`);
    context.stdout.write(`${action === 'hold' ? 'held back' : 'released'}: ${docId}\n`);
    return EXIT.ok;
  } finally {
    await closeStorage(opened);
  }
}
