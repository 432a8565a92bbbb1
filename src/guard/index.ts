export * from './detect-pii.ts';
export * from './redact-pii.ts';
