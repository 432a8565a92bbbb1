import type { AskResult } from '../engine/ask.ts';

/** The human view of an answer: text (unless already streamed), sources, then stage timings and cost. */
export function formatAnswer(result: AskResult, options: { alreadyStreamed?: boolean } = {}): string {
  const lines: string[] = [];
  const streamed = options.alreadyStreamed && !result.abstained;
  if (!streamed) lines.push(result.answer);
  else lines.push('');
  if (result.abstained) {
    lines.push(`(abstained: ${result.abstainReason ?? 'unknown'})`);
    if (result.passages.length > 0) {
      lines.push('', 'Closest passages:');
      for (const passage of result.passages.slice(0, 3))
        lines.push(`  - ${passage.source}${headings(passage.metadata.headingsPath)}`);
    }
  } else {
    lines.push('', 'Sources:');
    for (const citation of result.citations) {
      const page = citation.metadata.page === undefined ? '' : `, page ${citation.metadata.page}`;
      lines.push(
        `  [${citation.n}] ${citation.title} (${citation.source}${headings(citation.metadata.headingsPath)}${page})`,
      );
    }
  }
  if (result.conflicts.length > 0) {
    lines.push('', 'Sources disagree:');
    for (const conflict of result.conflicts) {
      const values = conflict.values.map(
        (value) =>
          `${value.value} ${value.citations.map((n) => `[${n}]`).join('')}${value.date ? ` (${value.date})` : ''}`,
      );
      const newer = conflict.newer ? `; newer: ${conflict.newer.value}` : '';
      lines.push(`  ${conflict.subject}: ${values.join(' vs ')}${newer}`);
    }
  }
  if (result.invalidCitations.length > 0) {
    lines.push(`  removed invalid citations: ${result.invalidCitations.map((n) => `[${n}]`).join(' ')}`);
  }
  if (result.cache) {
    const how =
      result.cache.hit === 'exact'
        ? 'same question'
        : `similar question, ${result.cache.similarity.toFixed(2)}`;
    lines.push(
      '',
      `from the answer cache (${how}: "${result.cache.cachedQuestion}", ${result.cache.cachedAt})`,
    );
  }
  const guard = describeGuard(result.policy);
  if (guard) lines.push('', guard);
  const t = result.timings;
  const cost = result.usage.costUsd === null ? 'unpriced' : `$${result.usage.costUsd.toFixed(6)}`;
  lines.push(
    '',
    `embed ${ms(t.embedMs)} · retrieve ${ms(t.retrieveMs)} · generate ${ms(t.generateMs)} · guard ${ms(t.guardMs)} · total ${ms(t.totalMs)}`,
    `${result.usage.model} · ${result.usage.inputTokens} in / ${result.usage.outputTokens} out tokens${result.usage.tokensReported ? '' : ' (counted locally)'} · ${cost}`,
    `trace ${result.traceId}  (cairn trace ${result.traceId})`,
  );
  return `${lines.join('\n')}\n`;
}

/** One line on what the guard did, or undefined when it let the answer through untouched. */
function describeGuard(policy: AskResult['policy']): string | undefined {
  const parts: string[] = [];
  const injection = policy.questionInjection;
  if (injection) parts.push(`question injection ${injection.action} (${injection.category ?? 'unknown'})`);
  const violations = policy.attempts.flatMap((attempt) => (attempt.violation ? [attempt.violation] : []));
  if (policy.decision !== 'answered' && violations.length > 0) {
    parts.push(`policy ${policy.decision.replace('_', ' ')} after ${[...new Set(violations)].join(', ')}`);
  }
  return parts.length === 0 ? undefined : `guard: ${parts.join('; ')}`;
}

function headings(path: string[] | undefined): string {
  return path && path.length > 0 ? ` > ${path.join(' > ')}` : '';
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}
