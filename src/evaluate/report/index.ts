export * from './escape-html.ts';
export * from './pareto-frontier.ts';
export * from './render-report.ts';
export * from './settings-section.ts';
export * from './svg-charts.ts';
