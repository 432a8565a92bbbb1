import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IngestJobRecord, IngestJobStore } from '../../spec/index.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const job = (id: string, tenant: string, status: IngestJobRecord['status'] = 'queued'): IngestJobRecord => ({
  id,
  tenant,
  status,
  files: ['a.md', 'b.pdf'],
  processed: 0,
  current: null,
  attempts: 0,
  summary: null,
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
});

/** The behaviour every {@link IngestJobStore} shares. */
export function runIngestJobsConformance(options: DomainSuiteOptions<IngestJobStore>): void {
  describe(`${options.name} ingest jobs conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a saved job reads back; saving again records its progress', testOptions, async () => {
      const jobs = await fresh();
      await jobs.save(job('j1', 'acme'));
      const progressed = { ...job('j1', 'acme', 'running'), processed: 1, current: 'b.pdf', attempts: 1 };
      await jobs.save(progressed);
      assert.deepEqual(await jobs.get('j1'), progressed);
      const done = {
        ...progressed,
        status: 'done' as const,
        summary: { added: 2 },
        finishedAt: '2026-01-01T00:01:00.000Z',
      };
      await jobs.save(done);
      assert.deepEqual(await jobs.get('j1'), done);
      assert.equal(await jobs.get('missing'), undefined);
    });

    test('unfinished jobs are the queued and running ones, oldest update first', testOptions, async () => {
      const jobs = await fresh();
      // Update times may be milliseconds: apart by more, so the order is the updates' order.
      const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
      for (const saved of [
        job('a', 'acme'),
        job('b', 'globex', 'running'),
        job('c', 'acme', 'done'),
        job('d', 'acme', 'failed'),
        job('a', 'acme', 'running'),
      ]) {
        await jobs.save(saved);
        await tick();
      }
      assert.deepEqual(
        (await jobs.unfinished()).map((row) => row.id),
        ['b', 'a'],
      );
      assert.deepEqual(
        (await jobs.unfinished({ tenant: 'acme' })).map((row) => row.id),
        ['a'],
      );
    });

    test(
      'a claim takes the oldest queued job, marks it running and counts the attempt',
      testOptions,
      async () => {
        const jobs = await fresh();
        await jobs.save(job('first', 'acme'));
        await jobs.save(job('second', 'globex'));
        const claimed = await jobs.claimNext();
        assert.equal(claimed?.id, 'first');
        assert.equal(claimed?.status, 'running');
        assert.equal(claimed?.attempts, 1);
        assert.equal((await jobs.get('first'))?.status, 'running');
        assert.equal((await jobs.claimNext({ tenant: 'acme' }))?.id, undefined);
        assert.equal((await jobs.claimNext({ tenant: 'globex' }))?.id, 'second');
        assert.equal(await jobs.claimNext(), undefined);
      },
    );

    test('concurrent claims never take the same job', testOptions, async () => {
      const writers = [await fresh(), await fresh(), await fresh()];
      const ids = Array.from({ length: 12 }, (_, n) => `job-${String(n).padStart(2, '0')}`);
      for (const id of ids) await (writers[0] as IngestJobStore).save(job(id, 'acme'));
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, n) => (writers[n % writers.length] as IngestJobStore).claimNext()),
      );
      const taken = claims.filter((claim) => claim !== undefined).map((claim) => claim.id);
      assert.equal(new Set(taken).size, taken.length, `a job was claimed twice: ${taken.join(', ')}`);
      assert.deepEqual([...taken].sort(), ids);
      for (const id of ids) assert.equal((await (writers[0] as IngestJobStore).get(id))?.attempts, 1);
    });
  });
}
