// The explore page in a real browser: Debian's Chromium driven by playwright-core.
//
//   node tests/page/explore.test.mjs path/to/cacophony
//
// It explores two scenarios with `cacophony explore --json --report`, opens the page from disk
// with every request that isn't file: blocked, and checks that each chart shows how often each
// outcome occurred (the counts and shares of the JSON, rendered), draws its run, and that no
// script failed. It leaves a screenshot in $CACOPHONY_SCREENSHOT, or in the system's temporary
// folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { offlineBrowser, openTab } from './offline_browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const binary = path.resolve(process.argv[2] || process.env.CACOPHONY_BIN ||
                            path.join(repo, 'build', 'cacophony'));
const screenshot = process.env.CACOPHONY_SCREENSHOT || path.join(tmpdir(), 'explore.png');
const IDS = ['async_naive', 'async_with_mutex'];
const SCHEDULES = 200;
const BEATS = 15;  // the default

let folder, pageUrl, browser, context, offNetwork, explored;

before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'cacophony-explore-page-'));
  const file = path.join(folder, 'explore.html');
  const json = path.join(folder, 'explore.json');
  const out = execFileSync(binary, ['explore', ...IDS, '--schedules', String(SCHEDULES),
                                    '--json', json, '--report', file], { cwd: folder });
  assert.match(out.toString(), /wrote .*explore\.html/);
  explored = JSON.parse(readFileSync(json, 'utf8'));
  pageUrl = pathToFileURL(file).href;
  ({ browser, context, offNetwork } = await offlineBrowser());
});

after(async () => {
  await browser?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// A fresh tab on the page (with `hash`), its script errors in page.errors.
const open = (hash = '') => openTab(context, pageUrl + hash);

const share = (count, schedules) => `${(100 * count / schedules).toFixed(1)}%`;

test('every chart shows how often each outcome occurred, as the JSON says', async () => {
  const page = await open();
  assert.deepEqual(await page.$$eval('details.chart', (all) => all.map((d) => d.id)), IDS);
  // Above the charts, before any is opened: every scenario's counts side by side.
  for (const x of explored) {
    const row = page.locator('#exploration tbody tr')
      .filter({ has: page.locator(`a[href="#${x.id}"]`) });
    for (const o of x.outcomes) {
      const cell = row.locator(`td[data-class="${o.class}"]`);
      assert.ok(await cell.isVisible(), `${x.id} ${o.class}: summary cell visible`);
      assert.equal(await cell.innerText(), `${o.count} (${share(o.count, x.schedules)})`);
    }
  }
  await page.click('#expand-all');
  for (const x of explored) {
    const chart = page.locator(`details#${x.id}`);
    await page.locator(`details#${x.id}[data-ready]`).waitFor({ state: 'attached' });
    assert.equal(await chart.locator('.vis-item.vis-box.ghost').count(), BEATS, `${x.id}: ghosts`);
    const points = x.metrics.choice_points;
    assert.match(await chart.locator('.explored').innerText(),
                 new RegExp(`^Across ${x.schedules} schedules \\(random, vary both\\): ` +
                            `${x.distinct_orders} distinct task orders; choice points a run ` +
                            `${points.min}/${points.median}/${points.max} \\(min/median/max\\); ` +
                            'the chart draws schedule \\S+, the first with \\w+'));
    for (const o of x.outcomes) {
      const row = chart.locator(`table.outcomes tr[data-class="${o.class}"]`);
      assert.ok(await row.isVisible(), `${x.id} ${o.class}: row visible`);
      const cells = await row.locator('th, td').allInnerTexts();
      assert.equal(cells[0], o.class);
      assert.equal(cells[1], `${o.count}/${x.schedules}`, `${x.id} ${o.class}`);
      assert.equal(cells[2], share(o.count, x.schedules), `${x.id} ${o.class}`);
      if (o.count > 0) {
        assert.equal(cells[4], o.first_schedule);
        assert.match(cells[5], new RegExp(`^cacophony run ${x.id} --replay ${o.first_schedule} `));
      } else {
        assert.equal(cells[4], '–');
      }
      // The bar is as long as the share.
      const bar = await row.locator('td.bar span').evaluate((span) => {
        const cell = getComputedStyle(span.parentElement);
        const inner = span.parentElement.clientWidth - parseFloat(cell.paddingLeft) -
                      parseFloat(cell.paddingRight);
        return span.getBoundingClientRect().width / inner;
      });
      if (o.count > 0) assert.ok(Math.abs(bar - o.count / x.schedules) < 0.05, `${o.class}: ${bar}`);
    }
  }
  const lost = (x) => x.outcomes.find((o) => o.class === 'lost').count;
  assert.ok(lost(explored[0]) > 0, 'the naive version loses beats');
  assert.equal(lost(explored[1]), 0, 'the mutex never does');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot, fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('nothing was fetched from the network', () => {
  assert.deepEqual(offNetwork, []);
});
