import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../spec/index.ts';
import { loadConfig, maskSecrets } from './load-config.ts';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-config-'));

test('no file and no environment gives working defaults', () => {
  const { config, file } = loadConfig({ cwd: dir(), env: {} });
  assert.equal(file, undefined);
  assert.equal(config.index, '.cairn/index.db');
  assert.equal(config.answerer.model, 'extractive');
  assert.equal(config.embedder.model, 'local');
});

test('a YAML file is read and environment variables override it', () => {
  const cwd = dir();
  fs.writeFileSync(
    path.join(cwd, 'cairn.config.yaml'),
    'answerer:\n  model: openai-compatible:llama3.1\n  baseURL: http://127.0.0.1:11434/v1\nretrieval:\n  k: 4\n',
  );
  const { config, fromEnv } = loadConfig({
    cwd,
    env: { CAIRN_LLM_API_KEY: 'sk-secret-value-123', CAIRN_INDEX: '/tmp/x.db' },
  });
  assert.equal(config.answerer.model, 'openai-compatible:llama3.1');
  assert.equal(config.retrieval.k, 4);
  assert.equal(config.answerer.apiKey, 'sk-secret-value-123');
  assert.equal(config.index, '/tmp/x.db');
  assert.ok(fromEnv.includes('answerer.apiKey <- CAIRN_LLM_API_KEY'));
  assert.doesNotMatch(JSON.stringify(maskSecrets(config)), /secret-value/);
});

test('a database password in the storage URL is masked', () => {
  const { config } = loadConfig({
    cwd: dir(),
    env: { CAIRN_INDEX: 'postgres://cairn:hunter2@db:5432/cairn' },
  });
  assert.equal(maskSecrets(config).index, 'postgres://cairn:****@db:5432/cairn');
  assert.equal(config.index, 'postgres://cairn:hunter2@db:5432/cairn', 'the URL itself is kept');
});

test('OPENAI_API_KEY fills in for an openai-compatible answerer', () => {
  const cwd = dir();
  fs.writeFileSync(
    path.join(cwd, 'cairn.config.json'),
    JSON.stringify({ answerer: { model: 'openai-compatible:gpt-4o-mini' } }),
  );
  const { config } = loadConfig({ cwd, env: { OPENAI_API_KEY: 'sk-from-openai-env' } });
  assert.equal(config.answerer.apiKey, 'sk-from-openai-env');
});

test('malformed JSON, unknown keys and bad values fail with the file and the setting named', () => {
  const cwd = dir();
  const file = path.join(cwd, 'cairn.config.json');
  fs.writeFileSync(file, '{"retrieval": {"k": 4,}}');
  assert.throws(
    () => loadConfig({ cwd, env: {} }),
    (error: unknown) => CairnError.is(error, 'invalid_option') && /not valid JSON/.test(error.message),
  );
  fs.writeFileSync(file, JSON.stringify({ retreival: { k: 4 } }));
  assert.throws(() => loadConfig({ cwd, env: {} }), /retreival/);
  fs.writeFileSync(file, JSON.stringify({ retrieval: { k: 0 } }));
  assert.throws(() => loadConfig({ cwd, env: {} }), /cairn\.config\.json is invalid[\s\S]*retrieval\.k/);
});

test('the standard OTEL_* variables set the telemetry section and win over the file', () => {
  const cwd = dir();
  fs.writeFileSync(
    path.join(cwd, 'cairn.config.json'),
    JSON.stringify({ telemetry: { endpoint: 'http://file:4318', headers: { 'x-team': 'search' } } }),
  );
  const { config, fromEnv } = loadConfig({
    cwd,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://cloud.langfuse.com/api/public/otel',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20cGstbGYtMTpzay1sZi0x, x-empty',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_SERVICE_NAME: 'support-bot',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    },
  });
  assert.equal(config.telemetry.endpoint, 'https://cloud.langfuse.com/api/public/otel');
  assert.equal(config.telemetry.protocol, 'http/protobuf', 'the traces-only variable wins');
  assert.deepEqual(config.telemetry.headers, {
    'x-team': 'search',
    Authorization: 'Basic cGstbGYtMTpzay1sZi0x',
  });
  assert.equal(config.telemetry.timeoutMs, 2500);
  assert.equal(config.telemetry.serviceName, 'support-bot');
  assert.equal(config.telemetry.captureContent, true);
  assert.ok(fromEnv.includes('telemetry.endpoint <- OTEL_EXPORTER_OTLP_ENDPOINT'));
  // The collector's credentials never print.
  assert.doesNotMatch(JSON.stringify(maskSecrets(config)), /cGstbGY/);
});

test('telemetry is off without an endpoint, and OTEL_SDK_DISABLED or a gRPC protocol say so clearly', () => {
  assert.equal(loadConfig({ cwd: dir(), env: {} }).config.telemetry.enabled, null);
  const disabled = loadConfig({
    cwd: dir(),
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' },
  });
  assert.equal(disabled.config.telemetry.enabled, false);
  assert.throws(
    () => loadConfig({ cwd: dir(), env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }),
    (error: unknown) => error instanceof CairnError && /telemetry\.protocol/.test(error.message),
  );
});
