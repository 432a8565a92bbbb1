export * from './csv.ts';
export * from './export-beir.ts';
export * from './golden-formats.ts';
