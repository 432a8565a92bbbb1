export * from './open-postgres-store.ts';
export type { PostgresQueryOptions } from './postgres-store.ts';
