export * from './cost.ts';
export * from './tracer.ts';
