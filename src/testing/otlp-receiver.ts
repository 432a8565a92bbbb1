/**
 * A local OpenTelemetry collector for tests: accepts OTLP/HTTP trace exports on a random
 * 127.0.0.1 port, decodes the real wire formats (protobuf with the OTLP message definitions,
 * or OTLP/JSON) into one shape, and keeps every span.
 *
 * ```ts
 * const receiver = await startOtlpReceiver();
 * // ... point the exporter at receiver.url (the /v1/traces URL)
 * const [span] = await receiver.waitForSpans((spans) => spans.some((s) => s.name.startsWith('chat ')));
 * await receiver.close();
 * ```
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// The parts of opentelemetry-proto's collector/trace/v1 request (and the common and resource
// messages it uses) that a trace export carries, with their field numbers.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
  repeated Event events = 11;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;
const ExportRequest = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');

/** An attribute value as decoded: strings, numbers (int64 as number), booleans, arrays. */
export type ReceivedValue = string | number | boolean | ReceivedValue[] | null;

/** One span as the collector received it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root. */
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP SpanKind). */
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, ReceivedValue>;
  events: { name: string; timeNanos: bigint; attributes: Record<string, ReceivedValue> }[];
  status: { code: number; message?: string };
  resource: Record<string, ReceivedValue>;
  scope: string;
  /** How the request carrying the span was encoded. */
  protocol: 'http/protobuf' | 'http/json';
}

/** A running receiver. */
export interface OtlpReceiver {
  /** The traces URL, `http://127.0.0.1:<port>/v1/traces`. */
  url: string;
  spans: ReceivedSpan[];
  /** Headers of each export request, in order. */
  requests: http.IncomingHttpHeaders[];
  /** Resolves with all spans once `done(spans)` holds; rejects after `timeoutMs` (default 5 s). */
  waitForSpans(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 at a random port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: http.IncomingHttpHeaders[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    requests.push(request.headers);
    const json = (request.headers['content-type'] ?? '').includes('json');
    try {
      spans.push(...(json ? fromJson(JSON.parse(body.toString('utf8'))) : fromProtobuf(body)));
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    // An empty ExportTraceServiceResponse: full success.
    if (json) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    waitForSpans(done, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(spans)) return;
          cleanup();
          resolve(spans);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching spans within ${timeoutMs} ms; got: ${spans.map((s) => s.name).join(', ')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Decoded OTLP in the camelCase object shape both encodings share. */
interface OtlpObject {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: OtlpKeyValue[];
        events?: { name: string; timeUnixNano: string; attributes?: OtlpKeyValue[] }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const decoded = ExportRequest.toObject(ExportRequest.decode(body), { longs: String, bytes: String });
  // protobuf bytes come as base64; OTLP/JSON carries ids as hex.
  const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex');
  for (const resourceSpans of (decoded as OtlpObject).resourceSpans ?? [])
    for (const scopeSpans of resourceSpans.scopeSpans ?? [])
      for (const span of scopeSpans.spans ?? []) {
        span.traceId = hex(span.traceId);
        span.spanId = hex(span.spanId);
        span.parentSpanId = hex(span.parentSpanId);
      }
  return normalise(decoded as OtlpObject, 'http/protobuf');
}

function fromJson(body: OtlpObject): ReceivedSpan[] {
  return normalise(body, 'http/json');
}

function normalise(request: OtlpObject, protocol: ReceivedSpan['protocol']): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind ?? 0,
        startNanos: BigInt(span.startTimeUnixNano),
        endNanos: BigInt(span.endTimeUnixNano),
        attributes: attributesOf(span.attributes),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          timeNanos: BigInt(event.timeUnixNano),
          attributes: attributesOf(event.attributes),
        })),
        status: {
          code: span.status?.code ?? 0,
          ...(span.status?.message ? { message: span.status.message } : {}),
        },
        resource,
        scope: scopeSpans.scope?.name ?? '',
        protocol,
      })),
    );
  });
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, ReceivedValue> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, decodedValue(value)]));
}

function decodedValue(value: OtlpAnyValue | undefined): ReceivedValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(decodedValue);
  return null;
}
