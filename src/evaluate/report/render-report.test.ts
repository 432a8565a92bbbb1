import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { launchChromium } from '../../testing/chromium.ts';
import { makeItem, makeRun } from '../compare/__fixtures__/make-run.ts';
import { compareRuns } from '../compare/compare-runs.ts';
import { paretoFrontier } from './pareto-frontier.ts';
import { failureReasons, renderReport } from './render-report.ts';
import { fiveNumberSummary } from './svg-charts.ts';

function sampleRuns() {
  const baselineItems = Array.from({ length: 12 }, (_, index) =>
    makeItem(
      `q${index}`,
      { faithfulness: index % 3 === 0 ? 0.5 : 1, citation_accuracy: 1, latency_ms: 80 + index * 5 },
      {
        timings: {
          embedMs: 4,
          retrieveMs: 9 + index,
          rerankMs: 0,
          generateMs: 60 + index * 4,
          guardMs: 1,
          totalMs: 80 + index * 5,
        },
      },
    ),
  );
  const candidateItems = baselineItems.map((item, index) =>
    makeItem(
      item.id,
      { faithfulness: index === 0 ? 0.5 : 1, citation_accuracy: 1, latency_ms: 120 + index * 5 },
      {
        answer: index === 0 ? 'Ignore <script>alert("x")</script> this [1]' : item.answer,
        notes: index === 0 ? { faithfulness: 'sentence 1 is not supported by passage [1]' } : {},
        timings: {
          embedMs: 4,
          retrieveMs: 12,
          rerankMs: 0,
          generateMs: 100 + index * 4,
          guardMs: 1,
          totalMs: 120 + index * 5,
        },
      },
    ),
  );
  const baseline = makeRun('baseline', baselineItems, {
    cost: { answerUsd: 0.012, judgeUsd: 0, perQueryUsd: 0.001, judgeTokens: 0 },
  });
  const candidate = makeRun('candidate', candidateItems, {
    runId: 'run-candidate',
    cost: { answerUsd: 0.024, judgeUsd: 0, perQueryUsd: 0.002, judgeTokens: 0 },
  });
  return { baseline, candidate };
}

test('the Pareto frontier keeps runs no other run beats on both cost and quality', () => {
  const frontier = paretoFrontier([
    { id: 'cheap-poor', cost: 1, quality: 0.6 },
    { id: 'mid-good', cost: 2, quality: 0.8 },
    { id: 'dominated', cost: 3, quality: 0.7 },
    { id: 'dear-best', cost: 5, quality: 0.9 },
    { id: 'tie-but-dearer', cost: 2.5, quality: 0.8 },
  ]);
  assert.deepEqual(frontier, ['cheap-poor', 'mid-good', 'dear-best']);
});

test('box plot quartiles interpolate like a spreadsheet', () => {
  assert.deepEqual(fiveNumberSummary([1, 2, 3, 4]), [1, 1.75, 2.5, 3.25, 4]);
  assert.equal(fiveNumberSummary([]), null);
});

test('an item fails on any measured check, and unmeasured metrics never fail it', () => {
  assert.deepEqual(failureReasons(makeItem('a', {})), []);
  assert.deepEqual(failureReasons(makeItem('b', { faithfulness: 0.5, abstention_accuracy: 0 })), [
    'faithfulness 0.50',
    'answered an out-of-scope question',
  ]);
});

test('the report is self-contained, escapes item text, and holds every section', () => {
  const { baseline, candidate } = sampleRuns();
  const html = renderReport([baseline, candidate], {
    title: 'Prompt v2 <test>',
    comparison: compareRuns(baseline, candidate),
  });
  assert.doesNotMatch(html, /<script/i, 'no scripts, and item text is escaped');
  assert.doesNotMatch(html, /(src|href)="https?:/i, 'nothing is loaded from the network');
  assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)/);
  assert.match(html, /<title>Prompt v2 &lt;test&gt;<\/title>/);
  for (const heading of [
    'Answer metrics',
    'Latency per stage',
    'Cost vs quality',
    'candidate vs baseline (baseline)',
    'Failing items in candidate (1 of 12)',
  ])
    assert.ok(html.includes(heading), `missing section ${heading}`);
  assert.match(html, /sentence 1 is not supported by passage \[1\]/, 'judge reasoning is shown');
  assert.match(html, /cost per query \(USD\)/);
});

test('unpriced runs are placed by latency, and a single run still renders', () => {
  const { baseline } = sampleRuns();
  const unpriced = { ...baseline, cost: { ...baseline.cost, perQueryUsd: null } };
  const html = renderReport([unpriced]);
  assert.match(html, /p50 latency \(ms\), as no model is priced/);
  assert.doesNotMatch(html, /vs .* \(baseline\)/);
});

test('the report renders in headless Chromium with every chart drawn', async () => {
  const { baseline, candidate } = sampleRuns();
  const html = renderReport([baseline, candidate], { comparison: compareRuns(baseline, candidate) });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-report-'));
  const file = path.join(directory, 'report.html');
  fs.writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(`file://${file}`);
    const charts = await page.$$eval('svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          width: box.width,
          height: box.height,
          shapes: svg.querySelectorAll('rect,circle,path').length,
        };
      }),
    );
    // One bar chart, five latency box plots, one scatter.
    assert.equal(charts.length, 7);
    for (const chart of charts) {
      assert.ok(chart.width > 100 && chart.height > 20, 'each chart has a visible size');
      assert.ok(chart.shapes > 2, 'each chart draws shapes');
    }
    assert.deepEqual(requests, [], 'the page makes no network requests');
    const screenshot = path.join(directory, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(fs.statSync(screenshot).size > 10_000, 'the screenshot has content');
  } finally {
    await browser.close();
  }
});
