export * from './aggregate-metrics.ts';
export * from './compare-runs.ts';
export * from './fail-on.ts';
export * from './format-comparison.ts';
export * from './seeded-random.ts';
