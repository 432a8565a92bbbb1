import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CHUNKING } from '../chunk/index.ts';
import { createHashingEmbedder } from '../embed/hashing-embedder.ts';
import { makeItem, makeRun } from '../evaluate/compare/__fixtures__/make-run.ts';
import type { EvalRun } from '../evaluate/eval-run.ts';
import { createExtractiveAnswerer } from '../generate/extractive-answerer.ts';
import type { FeedbackStore, Store, TraceStore } from '../spec/index.ts';
import {
  openSqliteApiKeys,
  openSqliteAudit,
  openSqliteEvalRuns,
  openSqliteFeedbackStore,
  openSqliteStore,
  openSqliteTraces,
  openSqliteUsage,
  runsDirectory,
} from '../store/sqlite/index.ts';
import { createUsageLedger, type UsageLedger } from '../usage/index.ts';
import type { ApiKeyStore, Role } from './api-keys.ts';
import type { AuditLog } from './audit-log.ts';
import { createApp } from './create-app.ts';

// Several tenants, each with marker words in its documents, questions, eval runs and keys; random
// requests across every tenant-scoped route; no response to one tenant may mention another's marker.
const embedder = createHashingEmbedder({ dimensions: 256 });
const TENANTS = ['default', 'quokka', 'zephyr', 'marzipan', 'obsidian'] as const;
type Tenant = (typeof TENANTS)[number];
// The default tenant's name is an everyday word, so its secret is another one.
const MARKER: Record<Tenant, string> = {
  default: 'vermilion',
  quokka: 'quokka',
  zephyr: 'zephyr',
  marzipan: 'marzipan',
  obsidian: 'obsidian',
};
const ROLES: Role[] = ['reader', 'writer', 'admin'];

let dir = '';
let store: Store;
let traces: TraceStore;
let feedback: FeedbackStore;
let keys: ApiKeyStore;
let audit: AuditLog;
let usage: UsageLedger;
let built: ReturnType<typeof createApp>;
const tenantKeys = new Map<Tenant, Record<Role, { key: string; id: string }>>();
const runsOf = new Map<Tenant, string[]>();
const docsOf = new Map<Tenant, string[]>();
const tracesOf = new Map<Tenant, string[]>();

function request(pathname: string, key: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return built.app.request(pathname, {
    ...init,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}

function keyOf(tenant: Tenant, role: Role): string {
  return tenantKeys.get(tenant)?.[role].key as string;
}

/** Fails when a response to `tenant` names any other tenant's marker. */
function assertOwnOnly(tenant: Tenant, route: string, body: string) {
  for (const other of TENANTS) {
    if (other === tenant) continue;
    assert.ok(
      !body.includes(MARKER[other]),
      `${route} answered ${tenant} with ${other}'s marker "${MARKER[other]}": ${body.slice(0, 300)}`,
    );
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-isolation-'));
  const indexPath = path.join(dir, 'index.db');
  store = openSqliteStore({ path: indexPath, embedder: { embedderId: 'hashing:hash-256', dimensions: 256 } });
  traces = openSqliteTraces(indexPath);
  feedback = openSqliteFeedbackStore(indexPath);
  keys = openSqliteApiKeys(indexPath);
  audit = openSqliteAudit(indexPath);
  usage = createUsageLedger(openSqliteUsage(indexPath));
  built = createApp({
    store,
    embedder,
    traceStore: traces,
    feedback,
    keys,
    auditLog: audit,
    usage,
    answerer: createExtractiveAnswerer({ embedder, abstainThreshold: -1 }),
    retrieval: { mode: 'hybrid', k: 4 },
    chunking: DEFAULT_CHUNKING,
    uploadsDir: path.join(dir, 'uploads'),
    evalRuns: openSqliteEvalRuns<EvalRun>(indexPath),
    judgeTrustIndex: indexPath,
    limits: { rateLimit: { capacity: 10_000, refillPerSecond: 10_000 } },
  });
  for (const tenant of TENANTS) {
    const marker = MARKER[tenant];
    const byRole = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => {
          const { key, record } = await keys.create({ tenant, role, label: `${marker} ${role}` });
          return [role, { key, id: record.id }];
        }),
      ),
    ) as Record<Role, { key: string; id: string }>;
    tenantKeys.set(tenant, byRole);
    // Neutral file names: a request for another tenant's document echoes the id it asked for.
    const documents = [1, 2].map((n) => ({
      name: `handbook-${TENANTS.indexOf(tenant)}-${n}.md`,
      text: `# ${marker} handbook ${n}\n\nThe ${marker} handbook says the vault code is ${marker}-${n}${n}${n} and the handbook is reviewed every ${n} weeks.\n`,
    }));
    const uploaded = await request('/v1/documents', byRole.writer.key, {
      method: 'POST',
      json: { documents },
    });
    assert.equal(uploaded.status, 202, await uploaded.clone().text());
    await built.jobs.idle();
    const listed = (await (await request('/v1/documents', byRole.reader.key)).json()) as {
      documents: { id: string }[];
    };
    assert.equal(listed.documents.length, documents.length);
    docsOf.set(
      tenant,
      listed.documents.map((document) => document.id),
    );
    // A failing item, so the report lists its question and answer.
    const run = makeRun(
      `${marker} nightly`,
      [
        makeItem(
          'q1',
          { faithfulness: 0 },
          {
            question: `What is the ${marker} vault code?`,
            answer: `The vault code is ${marker}-111 [1].`,
          },
        ),
      ],
      { runId: randomUUID(), tenant },
    );
    await openSqliteEvalRuns<EvalRun>(indexPath).save(run);
    runsOf.set(tenant, [run.runId]);
  }
  // Runs written flat in runs/ before runs had tenants: one without a tenant (the default one's,
  // holding a secret sentence of the default tenant's documents) and one that recorded its tenant.
  const flat = (tenant: Tenant | undefined, file: string) => {
    const owner = tenant ?? 'default';
    const run = makeRun(
      `legacy ${MARKER[owner]}`,
      [
        makeItem(
          'q9',
          { faithfulness: 0 },
          {
            question: `Which secret does the ${MARKER[owner]} handbook keep?`,
            answer: `The ${MARKER[owner]} vault code is ${MARKER[owner]}-999 [1].`,
          },
        ),
      ],
      { runId: randomUUID(), ...(tenant ? { tenant } : {}) },
    );
    fs.writeFileSync(path.join(runsDirectory(indexPath), file), JSON.stringify(run));
    runsOf.get(owner)?.push(run.runId);
  };
  flat(undefined, '2026-01-01T00-00-00-000Z-legacy1.json');
  flat('zephyr', '2026-01-02T00-00-00-000Z-legacy2.json');
});

after(async () => {
  await built.jobs.idle();
  await usage.close();
  await audit.close();
  await keys.close();
  await feedback.close();
  await traces.close();
  await store.close();
});

test('randomized isolation: searches, answers, documents, traces, feedback, eval runs, reports, audit, usage and keys', async () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  /** An id from any tenant, half of the time one of the caller's own. */
  const pickId = (ids: Map<Tenant, string[]>, caller: Tenant) => {
    const all = [...ids.entries()].flatMap(([tenant, list]) => list.map((id) => ({ tenant, id })));
    const own = all.filter((entry) => entry.tenant === caller);
    const pool = own.length > 0 && random() < 0.5 ? own : all;
    return pool.length > 0 ? pick(pool) : undefined;
  };
  const unknownBody = async (key: string, pathname: (id: string) => string) => {
    const id = randomUUID();
    const response = await request(pathname(id), key);
    assert.equal(response.status, 404);
    return { id, text: await response.text() };
  };

  type Route = {
    name: string;
    role: Role;
    call: (tenant: Tenant, key: string) => Promise<{ response: Response; owner?: Tenant; id?: string }>;
  };
  const routes: Route[] = [
    {
      name: 'search',
      role: 'reader',
      call: async (tenant, key) => ({
        response: await request('/v1/search', key, {
          method: 'POST',
          json: {
            query: pick([`${MARKER[tenant]} vault code`, 'handbook vault code', 'reviewed every weeks']),
            k: 10,
          },
        }),
      }),
    },
    {
      name: 'ask',
      role: 'reader',
      call: async (tenant, key) => {
        const response = await request('/v1/ask', key, {
          method: 'POST',
          json: { question: pick([`What is the ${MARKER[tenant]} vault code?`, 'What is the vault code?']) },
        });
        const { traceId } = (await response.clone().json()) as { traceId?: string };
        if (traceId) tracesOf.set(tenant, [...(tracesOf.get(tenant) ?? []), traceId]);
        return { response };
      },
    },
    {
      name: 'documents',
      role: 'reader',
      call: async (_tenant, key) => ({ response: await request('/v1/documents', key) }),
    },
    {
      name: 'chunks',
      role: 'reader',
      call: async (tenant, key) => {
        const doc = pickId(docsOf, tenant) as { tenant: Tenant; id: string };
        return {
          response: await request(`/v1/documents/${encodeURIComponent(doc.id)}/chunks`, key),
          owner: doc.tenant,
          id: doc.id,
        };
      },
    },
    {
      name: 'trace',
      role: 'reader',
      call: async (tenant, key) => {
        const trace = pickId(tracesOf, tenant);
        if (!trace) return { response: await request('/v1/documents', key) };
        return { response: await request(`/v1/traces/${trace.id}`, key), owner: trace.tenant, id: trace.id };
      },
    },
    {
      name: 'eval-runs',
      role: 'admin',
      call: async (_tenant, key) => ({ response: await request('/v1/eval-runs', key) }),
    },
    {
      name: 'eval-report',
      role: 'admin',
      call: async (tenant, key) => {
        const run = pickId(runsOf, tenant) as { tenant: Tenant; id: string };
        return {
          response: await request(`/v1/eval-runs/${run.id}/report`, key),
          owner: run.tenant,
          id: run.id,
        };
      },
    },
    {
      name: 'audit',
      role: 'admin',
      call: async (_tenant, key) => ({ response: await request('/v1/audit?limit=1000', key) }),
    },
    {
      name: 'usage',
      role: 'admin',
      call: async (_tenant, key) => ({ response: await request('/v1/usage?days=30', key) }),
    },
    {
      name: 'feedback',
      role: 'admin',
      call: async (tenant, key) => {
        // A reader of the tenant rates some answer; another tenant's trace is unknown to it.
        const trace = pickId(tracesOf, tenant);
        if (trace) {
          const rated = await request(`/v1/traces/${trace.id}/feedback`, keyOf(tenant, 'reader'), {
            method: 'POST',
            json: { rating: pick(['up', 'down'] as const) },
          });
          assert.equal(rated.status, trace.tenant === tenant ? 201 : 404, await rated.clone().text());
        }
        return { response: await request('/v1/feedback', key) };
      },
    },
    {
      name: 'keys',
      role: 'admin',
      call: async (_tenant, key) => ({ response: await request('/v1/keys', key) }),
    },
  ];

  const rank: Record<Role, number> = { reader: 0, writer: 1, admin: 2, operator: 3 };
  const seen = new Map<string, number>();
  for (let round = 0; round < 160; round++) {
    const tenant = pick(TENANTS);
    const role = pick(ROLES);
    const route = pick(routes);
    const key = keyOf(tenant, role);
    const { response, owner, id } = await route.call(tenant, key);
    const text = await response.text();
    const label = `${route.name} as ${tenant} ${role}`;
    // A not-found answer may echo the id that was asked for; nothing else may name another tenant.
    assertOwnOnly(tenant, label, id ? text.replaceAll(id, '<id>') : text);
    if (rank[role] < rank[route.role]) {
      assert.equal(response.status, 403, `${label}: ${text}`);
      continue;
    }
    if (owner !== undefined && owner !== tenant) {
      // Another tenant's id answers exactly as an id that does not exist.
      assert.equal(response.status, 404, `${label} on ${owner}'s ${id}: ${text}`);
      const pathname = (unknown: string) =>
        ({
          chunks: `/v1/documents/${encodeURIComponent(unknown)}/chunks`,
          trace: `/v1/traces/${unknown}`,
          'eval-report': `/v1/eval-runs/${unknown}/report`,
        })[route.name] as string;
      const unknown = await unknownBody(key, pathname);
      // Bodies carry the request's own id; everything else must be the same.
      const withoutRequestId = (body: string) => ({ ...JSON.parse(body), requestId: undefined });
      assert.deepEqual(
        withoutRequestId(text),
        withoutRequestId(unknown.text.replaceAll(unknown.id, id as string)),
        label,
      );
      continue;
    }
    assert.equal(response.status, 200, `${label}: ${text}`);
    seen.set(route.name, (seen.get(route.name) ?? 0) + 1);
    if (route.name === 'eval-report')
      assert.ok(text.includes(MARKER[tenant]), 'the own report shows its items');
    if (route.name === 'usage') {
      const { rows } = JSON.parse(text) as { rows: { tenant: string }[] };
      assert.ok(
        rows.every((row) => row.tenant === tenant),
        `${label}: ${text}`,
      );
    }
    if (route.name === 'feedback') {
      const listed = (JSON.parse(text) as { feedback: { traceId: string }[] }).feedback;
      const own = new Set(tracesOf.get(tenant) ?? []);
      assert.ok(
        listed.every((entry) => own.has(entry.traceId)),
        `${label}: ${text}`,
      );
    }
    if (route.name === 'audit') {
      const { entries } = JSON.parse(text) as { entries: { tenant: string }[] };
      assert.ok(
        entries.every((entry) => entry.tenant === tenant),
        `${label}: ${text}`,
      );
    }
  }
  for (const name of routes.map((route) => route.name))
    assert.ok((seen.get(name) ?? 0) > 0, `the round robin reached ${name} with a permitted key`);

  // Every tenant's admin lists exactly its own runs, old flat ones included.
  for (const tenant of TENANTS) {
    const { runs } = (await (await request('/v1/eval-runs', keyOf(tenant, 'admin'))).json()) as {
      runs: { runId: string }[];
    };
    assert.deepEqual(runs.map((run) => run.runId).sort(), [...(runsOf.get(tenant) ?? [])].sort(), tenant);
    const used = (await (await request('/v1/usage', keyOf(tenant, 'admin'))).json()) as {
      rows: { tenant: string }[];
    };
    assert.ok(used.rows.every((row) => row.tenant === tenant));
  }
});

test("an operator creates a tenant's first admin key; admins stay inside their own tenant", async () => {
  const operator = await keys.create({ tenant: 'ops', role: 'operator', label: 'platform' });
  const created = await request('/v1/keys', operator.key, {
    method: 'POST',
    json: { tenant: 'newco', role: 'admin', label: 'first admin' },
  });
  assert.equal(created.status, 201, await created.clone().text());
  const first = (await created.json()) as {
    key: string;
    record: { id: string; tenant: string; role: string };
  };
  assert.equal(first.record.tenant, 'newco');
  assert.equal(first.record.role, 'admin');

  // The new admin works in its tenant: an empty one, nobody else's documents.
  const listed = await request('/v1/documents', first.key);
  assert.equal(listed.status, 200);
  assert.deepEqual(((await listed.json()) as { documents: unknown[] }).documents, []);
  const reader = await request('/v1/keys', first.key, { method: 'POST', json: { role: 'reader' } });
  assert.equal(reader.status, 201);
  const readerRecord = (await reader.json()) as { key: string; record: { id: string; tenant: string } };
  assert.equal(readerRecord.record.tenant, 'newco');
  const sameTenant = await request('/v1/keys', first.key, {
    method: 'POST',
    json: { tenant: 'newco', role: 'writer' },
  });
  assert.equal(sameTenant.status, 201, 'naming its own tenant is fine');

  // ...and nowhere else, and never above its own role.
  const quokkaAdmin = tenantKeys.get('quokka')?.admin as { key: string; id: string };
  for (const json of [
    { tenant: 'quokka', role: 'admin' },
    { tenant: 'quokka', role: 'reader' },
    { role: 'operator' },
  ]) {
    const refused = await request('/v1/keys', first.key, { method: 'POST', json });
    assert.equal(refused.status, 403, JSON.stringify(json));
  }
  assert.equal((await request('/v1/keys?tenant=quokka', first.key)).status, 403);
  assert.equal(
    (await request(`/v1/keys/${quokkaAdmin.id}?tenant=quokka`, first.key, { method: 'DELETE' })).status,
    403,
  );
  assert.equal((await request(`/v1/keys/${quokkaAdmin.id}`, first.key, { method: 'DELETE' })).status, 404);
  assert.equal((await request('/v1/documents', quokkaAdmin.key)).status, 200, 'the quokka admin still works');
  for (const role of ['reader', 'writer'] as const) {
    for (const json of [{ role: 'reader' }, { tenant: 'newco', role: 'admin' }]) {
      const refused = await request('/v1/keys', keyOf('quokka', role), { method: 'POST', json });
      assert.equal(refused.status, 403, `${role} ${JSON.stringify(json)}`);
    }
  }

  // The operator lists and revokes keys of any tenant it names, and never sees a secret.
  const theirKeys = await request('/v1/keys?tenant=newco', operator.key);
  assert.equal(theirKeys.status, 200);
  const theirText = await theirKeys.text();
  assert.ok(!theirText.includes(first.key) && !theirText.includes(readerRecord.key));
  const records = (JSON.parse(theirText) as { keys: { id: string; tenant: string }[] }).keys;
  assert.equal(records.length, 3);
  assert.ok(records.every((record) => record.tenant === 'newco'));
  const revoked = await request(`/v1/keys/${readerRecord.record.id}?tenant=newco`, operator.key, {
    method: 'DELETE',
  });
  assert.equal(revoked.status, 200);
  assert.equal((await request('/v1/documents', readerRecord.key)).status, 401);
  const ownKeys = (await (await request('/v1/keys', operator.key)).json()) as { keys: { tenant: string }[] };
  assert.ok(
    ownKeys.keys.every((record) => record.tenant === 'ops'),
    'without ?tenant= its own tenant',
  );
  const badTenant = await request('/v1/keys', operator.key, {
    method: 'POST',
    json: { tenant: '..', role: 'admin' },
  });
  assert.equal(badTenant.status, 400);

  // An operator is not a reader of other tenants: every other route stays in its own tenant.
  for (const [pathname, init] of [
    ['/v1/documents', {}],
    ['/v1/search', { method: 'POST', json: { query: 'handbook vault code', k: 20 } }],
    ['/v1/ask', { method: 'POST', json: { question: 'What is the vault code?' } }],
    ['/v1/eval-runs', {}],
    [`/v1/eval-runs/${runsOf.get('quokka')?.[0]}/report`, {}],
    ['/v1/audit', {}],
    ['/v1/usage', {}],
  ] as const) {
    const response = await request(pathname, operator.key, init);
    const text = await response.text();
    for (const tenant of TENANTS)
      assert.ok(!text.includes(MARKER[tenant]), `${pathname}: ${text.slice(0, 300)}`);
  }

  // An admin of the operator's tenant cannot revoke the operator.
  const opsAdmin = (await (
    await request('/v1/keys', operator.key, { method: 'POST', json: { role: 'admin' } })
  ).json()) as { key: string };
  assert.equal(
    (await request(`/v1/keys/${operator.record.id}`, opsAdmin.key, { method: 'DELETE' })).status,
    403,
  );
  assert.equal((await request('/v1/keys', operator.key)).status, 200);
});
