export * from './usage-ledger.ts';
