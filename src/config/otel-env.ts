/**
 * The standard OpenTelemetry environment variables, applied to the raw `telemetry` section the
 * way cairn's own variables are: on top of the file, each recorded in `fromEnv`. The traces-only
 * variants win over the general ones, as the OpenTelemetry specification has it.
 */
export function applyOtelEnv(
  merged: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  fromEnv: string[],
): void {
  const telemetry = section(merged);
  const value = (name: string) => env[name]?.trim() || undefined;
  const take = (key: string, ...names: string[]) => {
    const name = names.find((candidate) => value(candidate) !== undefined);
    if (name) set(key, value(name), name);
  };
  const set = (key: string, setting: unknown, from: string) => {
    telemetry[key] = setting;
    fromEnv.push(`telemetry.${key} <- ${from}`);
  };

  take('endpoint', 'OTEL_EXPORTER_OTLP_ENDPOINT');
  take('tracesEndpoint', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  take('protocol', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  take('serviceName', 'OTEL_SERVICE_NAME');
  const timeout = ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'].find(
    (name) => value(name) !== undefined,
  );
  if (timeout) set('timeoutMs', Number(value(timeout)), timeout);
  const headerVariables = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'].filter(
    (name) => value(name) !== undefined,
  );
  if (headerVariables.length > 0) {
    const headers = { ...(telemetry.headers as Record<string, string> | undefined) };
    for (const name of headerVariables) Object.assign(headers, parseHeaders(value(name) as string));
    set('headers', headers, headerVariables.join(', '));
  }
  const capture = value('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT');
  if (capture)
    set(
      'captureContent',
      capture.toLowerCase() === 'true',
      'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
    );
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') set('enabled', false, 'OTEL_SDK_DISABLED');
  else if (value('OTEL_TRACES_EXPORTER')?.toLowerCase() === 'none')
    set('enabled', false, 'OTEL_TRACES_EXPORTER');
}

/** `key1=value1,key2=value2` with percent-encoded values, as OTEL_EXPORTER_OTLP_HEADERS has them. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const key = pair.slice(0, equals).trim();
    const raw = pair.slice(equals + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A lone % is not an encoding; the value is taken as written.
    }
    if (key !== '') headers[key] = value;
  }
  return headers;
}

function section(merged: Record<string, unknown>): Record<string, unknown> {
  const current = merged.telemetry;
  if (typeof current === 'object' && current !== null && !Array.isArray(current))
    return current as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  merged.telemetry = created;
  return created;
}
