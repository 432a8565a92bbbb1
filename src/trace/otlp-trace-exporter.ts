import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Trace, TraceExporter } from '../spec/index.ts';
import { CAIRN_VERSION } from '../version.ts';
import { toReadableSpans } from './readable-spans.ts';

/** Where and how traces are sent; `cairn` builds this from the `telemetry` config section. */
export interface OtlpExportOptions {
  /** The collector's traces URL, e.g. `http://localhost:4318/v1/traces`. */
  url: string;
  /** @default 'http/protobuf' */
  protocol?: 'http/protobuf' | 'http/json';
  /** Sent with every export, e.g. `Authorization`. */
  headers?: Record<string, string>;
  /** `service.name` of the exported resource. @default 'cairn' */
  serviceName?: string;
  /** Export the (redacted) question and answer text too. @default false */
  captureContent?: boolean;
  /** Spans waiting to be sent at most; past it new spans are dropped and counted. @default 2048 */
  maxQueueSpans?: number;
  /** Spans per request to the collector. @default 512 */
  maxBatchSpans?: number;
  /** How long a span may wait for a fuller batch. @default 1000 */
  flushDelayMs?: number;
  /** One request's time limit, retries included. @default 10000 */
  timeoutMs?: number;
  /** Told, at most once a minute, how many spans were dropped and why. */
  onWarning?: (message: string) => void;
}

/** A {@link TraceExporter} sending over OTLP, with what it sent and dropped. */
export interface OtlpTraceExporter extends TraceExporter {
  /** Sends everything queued; resolves when the collector answered (or failed) for all of it. */
  flush(): Promise<void>;
  /** Flushes, then stops: later traces are ignored. */
  shutdown(): Promise<void>;
  stats(): { exportedSpans: number; droppedSpans: number };
}

/** A minute between drop warnings, so a collector that is down does not flood the log. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * Exports finished traces over OTLP/HTTP with the official OpenTelemetry exporter (protobuf or
 * JSON). `export()` only queues: batches go out one request at a time in the background, the
 * queue is bounded, and spans that cannot be sent (queue full, collector down or refusing) are
 * dropped and counted, never retried forever nor allowed to fail the request that made them.
 */
export function createOtlpTraceExporter(options: OtlpExportOptions): OtlpTraceExporter {
  const maxQueue = options.maxQueueSpans ?? 2048;
  const maxBatch = options.maxBatchSpans ?? 512;
  const delay = options.flushDelayMs ?? 1000;
  const config = {
    url: options.url,
    headers: options.headers ?? {},
    timeoutMillis: options.timeoutMs ?? 10_000,
  };
  const transport =
    options.protocol === 'http/json' ? new JsonExporter(config) : new ProtobufExporter(config);
  const resource = resourceFromAttributes({
    'service.name': options.serviceName ?? 'cairn',
    'service.version': CAIRN_VERSION,
  });
  const scope = { name: 'cairn', version: CAIRN_VERSION };
  let queue: ReadableSpan[] = [];
  let sending: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let exportedSpans = 0;
  let droppedSpans = 0;
  let unreported = 0;
  let lastWarning = Number.NEGATIVE_INFINITY;

  const warnDropped = (force: boolean, reason?: string) => {
    if (unreported === 0 || (!force && Date.now() - lastWarning < WARNING_INTERVAL_MS)) return;
    options.onWarning?.(
      `telemetry: dropped ${unreported} span(s)${reason ? ` (${reason})` : ''}; ${droppedSpans} dropped since start`,
    );
    unreported = 0;
    lastWarning = Date.now();
  };
  const drop = (count: number, reason: string) => {
    droppedSpans += count;
    unreported += count;
    warnDropped(false, reason);
  };
  const send = (batch: ReadableSpan[]) =>
    new Promise<void>((resolve) => {
      transport.export(batch, (result) => {
        if (result.code === ExportResultCode.SUCCESS) exportedSpans += batch.length;
        else
          drop(
            batch.length,
            `export to ${options.url} failed: ${result.error?.message ?? 'no reason given'}`,
          );
        resolve();
      });
    });
  // One request at a time: a slow collector fills the bounded queue instead of piling up sockets.
  const drain = (): Promise<void> => {
    sending ??= (async () => {
      while (queue.length > 0) await send(queue.splice(0, maxBatch));
    })().finally(() => {
      sending = undefined;
    });
    return sending;
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, delay);
    // A pending batch never keeps a finished command alive; shutdown() sends it.
    timer.unref();
  };

  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0 || sending) await drain();
    warnDropped(true);
  };

  return {
    export(trace: Trace) {
      if (closed) return;
      let spans: ReadableSpan[];
      try {
        spans = toReadableSpans(trace, { resource, scope, captureContent: options.captureContent ?? false });
      } catch (error) {
        drop(trace.spans.length, `could not convert a trace: ${(error as Error).message}`);
        return;
      }
      const room = Math.max(0, maxQueue - queue.length);
      if (spans.length > room) drop(spans.length - room, 'queue full: the collector is slow or down');
      queue = queue.concat(spans.slice(0, room));
      if (queue.length >= maxBatch) void drain();
      else if (queue.length > 0) schedule();
    },
    flush,
    async shutdown() {
      if (closed) return;
      await flush();
      closed = true;
      await transport.shutdown();
    },
    stats: () => ({ exportedSpans, droppedSpans }),
  };
}
