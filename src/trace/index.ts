export * from './cost.ts';
export * from './export-trace.ts';
export * from './trace-context.ts';
export * from './tracer.ts';
