export * from './cost.ts';
export * from './trace-context.ts';
export * from './tracer.ts';
