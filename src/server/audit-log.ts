import { redactPii } from '../guard/index.ts';
import type { AuditStore } from '../spec/index.ts';

export type { AuditEntry, AuditStore as AuditLog } from '../spec/index.ts';

/**
 * Appends one search or answer to the audit log, stamped now, with the query PII-redacted and cut
 * to 2000 characters and the document ids deduplicated, so no backend ever stores the raw question.
 */
export async function recordAudit(
  audit: AuditStore,
  entry: { tenant: string; keyId: string; route: string; query: string; docIds: string[] },
): Promise<void> {
  await audit.append({
    at: new Date().toISOString(),
    tenant: entry.tenant,
    keyId: entry.keyId,
    route: entry.route,
    query: redactPii(entry.query).text.slice(0, 2000),
    docIds: [...new Set(entry.docIds)],
  });
}
