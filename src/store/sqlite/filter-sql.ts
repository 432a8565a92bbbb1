import type { MetadataFilter } from '../../spec/index.ts';
import { assertSafeMetadataKey } from '../metadata-key.ts';

/** A SQL condition over the `documents d` alias plus its bound parameters. */
export interface SqlCondition {
  sql: string;
  params: (string | number)[];
}

/**
 * Compiles a metadata filter into a WHERE fragment over `documents d`; quarantined documents are
 * left out unless asked for. Values are always bound
 * parameters; metadata keys are checked against a safe pattern because they are part of a JSON path.
 */
export function filterToSql(filter: MetadataFilter | undefined, includeQuarantined = false): SqlCondition {
  const clauses: string[] = includeQuarantined ? [] : ['d.quarantined = 0'];
  const params: (string | number)[] = [];
  if (!filter) return { sql: clauses.length === 0 ? '1' : clauses.join(' AND '), params };
  if (filter.docIds) {
    if (filter.docIds.length === 0) return { sql: '0', params };
    clauses.push(`d.id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.docIds));
  }
  if (filter.excludeDocIds && filter.excludeDocIds.length > 0) {
    clauses.push(`d.id NOT IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.excludeDocIds));
  }
  if (filter.sourcePrefix !== undefined) {
    clauses.push(`substr(d.source, 1, ?) = ?`);
    params.push(filter.sourcePrefix.length, filter.sourcePrefix);
  }
  if (filter.formats) {
    clauses.push(`d.format IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.formats));
  }
  for (const [key, value] of Object.entries(filter.where ?? {})) {
    assertSafeMetadataKey(key);
    clauses.push(`json_extract(d.metadata, ?) = ?`);
    params.push(`$."${key}"`, typeof value === 'boolean' ? Number(value) : value);
  }
  return { sql: clauses.length === 0 ? '1' : clauses.join(' AND '), params };
}

/** True when the filter restricts anything beyond the namespace. */
export function hasConstraints(filter: MetadataFilter | undefined): boolean {
  return (
    filter !== undefined &&
    (filter.docIds !== undefined ||
      (filter.excludeDocIds?.length ?? 0) > 0 ||
      filter.sourcePrefix !== undefined ||
      filter.formats !== undefined ||
      Object.keys(filter.where ?? {}).length > 0)
  );
}
