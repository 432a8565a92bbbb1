import type { TelemetrySettings } from '../config/index.ts';
import type { OtlpTraceExporter } from '../trace/otlp-trace-exporter.ts';

/** Where an OTLP/HTTP collector listens when only `enabled: true` is said. */
const DEFAULT_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * The OTLP exporter the `telemetry` settings ask for, or undefined when export is off (the
 * default: on only when enabled, or when an endpoint is set and `enabled` is not false).
 * Drop warnings go to `warn`, one line each.
 */
export async function openTraceExporter(
  telemetry: TelemetrySettings,
  warn: (line: string) => void,
): Promise<OtlpTraceExporter | undefined> {
  const enabled = telemetry.enabled ?? (telemetry.endpoint !== null || telemetry.tracesEndpoint !== null);
  if (!enabled) return undefined;
  // Imported only when used, so a command that exports nothing never loads the OpenTelemetry SDK.
  const { createOtlpTraceExporter } = await import('../trace/otlp-trace-exporter.ts');
  return createOtlpTraceExporter({
    url: tracesUrl(telemetry),
    protocol: telemetry.protocol,
    headers: telemetry.headers,
    serviceName: telemetry.serviceName,
    captureContent: telemetry.captureContent,
    maxQueueSpans: telemetry.maxQueueSpans,
    timeoutMs: telemetry.timeoutMs,
    onWarning: (message) => warn(`${message}\n`),
  });
}

/** The traces URL: `tracesEndpoint` as it is, else `endpoint` + `/v1/traces` (OTLP's rule). */
export function tracesUrl(telemetry: Pick<TelemetrySettings, 'endpoint' | 'tracesEndpoint'>): string {
  if (telemetry.tracesEndpoint) return telemetry.tracesEndpoint;
  if (telemetry.endpoint) return `${telemetry.endpoint.replace(/\/+$/, '')}/v1/traces`;
  return DEFAULT_TRACES_URL;
}
