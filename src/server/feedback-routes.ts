import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { goldenItemFromTrace, tracedQuestionAndAnswer } from '../evaluate/index.ts';
import { CairnError, type FeedbackStore, type TraceStore } from '../spec/index.ts';
import type { ApiKeyRecord, Role } from './api-keys.ts';

type Env = { Variables: { key: ApiKeyRecord } };

/** What the feedback routes need from the app that mounts them. */
export interface FeedbackRouteDependencies {
  feedback: FeedbackStore;
  traceStore: TraceStore;
  /** The app's role check: the key, or a 403 naming the role the route needs. */
  requireRole(c: { get(name: 'key'): ApiKeyRecord }, role: Role): ApiKeyRecord;
  /** The app's JSON body size limit. */
  jsonLimit: MiddlewareHandler;
  /** What a reader gets of stored questions and answers (redacted like answers). */
  redact<T>(value: T): T;
}

const feedbackBody = z
  .object({
    rating: z.enum(['up', 'down']),
    comment: z.string().max(2000).optional(),
  })
  .strict();

const listQuery = z.object({
  rating: z.enum(['up', 'down']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const candidateBody = z
  .object({
    reference: z.string().max(20_000).optional(),
    relevantDocIds: z.array(z.string().min(1)).max(100).optional(),
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
    outOfScope: z.boolean().optional(),
    split: z.enum(['dev', 'test']).optional(),
  })
  .strict();

/**
 * Thumbs up/down on answers, kept with their traces: readers rate their tenant's answers, admins
 * list the ratings with each trace's question and answer and turn one into a golden-set candidate.
 * A trace id of another tenant is answered exactly as an unknown one.
 */
export function feedbackRoutes(deps: FeedbackRouteDependencies): Hono<Env> {
  const routes = new Hono<Env>();
  const traceOf = async (tenant: string, traceId: string) => {
    const trace = await deps.traceStore.getTrace(tenant, traceId);
    if (!trace) throw new CairnError('not_found', `no trace "${traceId}"`);
    return trace;
  };

  routes.post('/traces/:id/feedback', deps.jsonLimit, async (c) => {
    const key = deps.requireRole(c, 'reader');
    const body = feedbackBody.parse(await readJsonBody(c.req.raw));
    const trace = await traceOf(key.tenant, c.req.param('id'));
    const feedback = {
      traceId: trace.traceId,
      namespace: key.tenant,
      rating: body.rating,
      ...(body.comment?.trim() ? { comment: body.comment.trim() } : {}),
      keyId: key.id,
      createdAt: new Date().toISOString(),
    };
    await deps.feedback.saveFeedback(feedback);
    return c.json({ feedback }, 201);
  });

  routes.get('/feedback', async (c) => {
    const key = deps.requireRole(c, 'admin');
    const query = listQuery.parse({
      ...(c.req.query('rating') !== undefined ? { rating: c.req.query('rating') } : {}),
      ...(c.req.query('limit') !== undefined ? { limit: c.req.query('limit') } : {}),
    });
    const entries = await deps.feedback.listFeedback(key.tenant, {
      ...(query.rating ? { rating: query.rating } : {}),
      limit: query.limit,
    });
    const feedback = await Promise.all(
      entries.map(async (entry) => {
        const trace = await deps.traceStore.getTrace(key.tenant, entry.traceId);
        const traced = trace ? deps.redact(tracedQuestionAndAnswer(trace)) : { question: null, answer: null };
        return { ...entry, ...(entry.comment ? { comment: deps.redact(entry.comment) } : {}), ...traced };
      }),
    );
    return c.json({ feedback });
  });

  // The candidate is returned, not written: the golden set is a reviewed file in the project
  // (`cairn eval add-from-trace` writes one on the machine that holds it), not server state.
  routes.post('/feedback/:traceId/golden-candidate', deps.jsonLimit, async (c) => {
    const key = deps.requireRole(c, 'admin');
    const text = await c.req.raw.text();
    const body = candidateBody.parse(text.trim() ? parseJson(text) : {});
    const trace = await traceOf(key.tenant, c.req.param('traceId'));
    const rated = await deps.feedback.getFeedback(key.tenant, trace.traceId);
    // A thumbs-down answer is the wrong reference: the reviewer writes the right one.
    const wrong = rated?.rating === 'down' && body.reference === undefined && !body.outOfScope;
    const item = goldenItemFromTrace(trace, {
      ...(wrong ? { reference: '' } : body.reference !== undefined ? { reference: body.reference } : {}),
      ...(body.relevantDocIds ? { relevantDocIds: body.relevantDocIds } : {}),
      ...(body.outOfScope !== undefined ? { outOfScope: body.outOfScope } : {}),
      ...(body.split ? { split: body.split } : {}),
      tags: [
        ...(body.tags ?? []),
        ...(rated ? [`thumbs-${rated.rating}`] : []),
        ...(wrong ? ['needs-reference'] : []),
      ],
    });
    const candidate = {
      ...item,
      question: deps.redact(item.question),
      reference_answer: deps.redact(item.reference_answer),
    };
    return c.json({ candidate, line: `${JSON.stringify(candidate)}\n` });
  });

  return routes;
}

async function readJsonBody(request: Request): Promise<unknown> {
  return parseJson(await request.text());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CairnError('invalid_input', 'request body is not valid JSON');
  }
}
