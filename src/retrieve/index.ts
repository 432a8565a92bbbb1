export * from './maximal-marginal-relevance.ts';
export * from './reciprocal-rank-fusion.ts';
export * from './retrieve.ts';
export * from './weighted-fusion.ts';
