export * from './classify-injection.ts';
export * from './decode-views.ts';
export * from './detect-conflicts.ts';
export * from './detect-injection.ts';
export * from './detect-pii.ts';
export * from './redact-pii.ts';
export * from './screen-question.ts';
