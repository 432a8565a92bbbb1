import type { MetadataFilter } from '../../spec/index.ts';
import { assertSafeMetadataKey } from '../metadata-key.ts';

/** A SQL condition over the `cairn_documents d` alias; its parameters continue a numbered list. */
export interface PgCondition {
  sql: string;
  params: unknown[];
}

/**
 * Compiles a metadata filter into a WHERE fragment over `cairn_documents d`, numbering its
 * parameters from `firstParam`; quarantined documents are left out unless asked for. Metadata
 * equality is one jsonb containment (`@>`), which the GIN index of schema version 2 serves.
 * Keys are checked against the same pattern as the SQLite store, so a filter that one store
 * refuses the other refuses too.
 */
export function filterToPgSql(
  filter: MetadataFilter | undefined,
  firstParam: number,
  includeQuarantined = false,
): PgCondition {
  const clauses: string[] = includeQuarantined ? [] : ['NOT d.quarantined'];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  if (filter?.docIds) {
    if (filter.docIds.length === 0) return { sql: 'false', params: [] };
    clauses.push(`d.id = ANY(${param(filter.docIds)}::text[])`);
  }
  if (filter?.excludeDocIds && filter.excludeDocIds.length > 0) {
    clauses.push(`NOT (d.id = ANY(${param(filter.excludeDocIds)}::text[]))`);
  }
  if (filter?.sourcePrefix !== undefined) {
    clauses.push(`left(d.source, ${param(filter.sourcePrefix.length)}::int) = ${param(filter.sourcePrefix)}`);
  }
  if (filter?.formats) clauses.push(`d.format = ANY(${param(filter.formats)}::text[])`);
  const where = Object.entries(filter?.where ?? {});
  for (const [key] of where) assertSafeMetadataKey(key);
  if (where.length > 0)
    clauses.push(`d.metadata @> ${param(JSON.stringify(Object.fromEntries(where)))}::jsonb`);
  return { sql: clauses.length === 0 ? 'true' : clauses.join(' AND '), params };
}
