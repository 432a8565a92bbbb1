import { ApiCallError, type ToolCall } from '../../spec/index.ts';

/**
 * Checks the shape of a tool call a provider returned: a name, and arguments that parse as a JSON
 * object. A malformed call is a provider fault (retryable), reported with what was wrong, rather
 * than handed to a tool that would fail on it later.
 */
export function checkToolCall(call: ToolCall, url: string): ToolCall {
  const fail = (problem: string) =>
    new ApiCallError({
      message: `${url} returned a tool call ${problem}`,
      url,
      status: 200,
      isRetryable: true,
    });
  if (!call.name) throw fail('without a function name');
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments === '' ? '{}' : call.arguments);
  } catch {
    throw fail(`"${call.name}" whose arguments are not valid JSON: ${call.arguments.slice(0, 80)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail(`"${call.name}" whose arguments are not a JSON object: ${call.arguments.slice(0, 80)}`);
  }
  return call;
}
