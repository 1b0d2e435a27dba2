// The report page in a real browser: Debian's Chromium driven by playwright-core.
//
//   node tests/page/page.test.mjs path/to/cacophony
//
// It writes a page with `cacophony --time simulated --report`, opens it from disk with every
// request that isn't file: blocked, and checks the charts, deep links, tooltips and zoom. It
// leaves a screenshot in docs/report.png, or in $CACOPHONY_SCREENSHOT (ctest sets it to the build
// folder; `make screenshot` refreshes the README's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { offlineBrowser, openTab } from './offline_browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const binary = path.resolve(process.argv[2] || process.env.CACOPHONY_BIN ||
                            path.join(repo, 'build', 'cacophony'));
const screenshot = process.env.CACOPHONY_SCREENSHOT || path.join(repo, 'docs', 'report.png');
const BEATS = 15;  // the default

let folder, pageUrl, browser, context, offNetwork;  // offNetwork: requests that left the disk

before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'cacophony-page-'));
  const file = path.join(folder, 'page.html');
  const out = execFileSync(binary, ['--time', 'simulated', '--report', file], { cwd: folder });
  assert.match(out.toString(), /wrote .*page\.html/);
  pageUrl = pathToFileURL(file).href;
  ({ browser, context, offNetwork } = await offlineBrowser());
});

after(async () => {
  await browser?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

// A fresh tab on the page (with `hash`), its script errors in page.errors.
const open = (hash = '') => openTab(context, pageUrl + hash);

// The median distance between neighbours in a sorted list.
function medianGap(xs) {
  const gaps = xs.slice(1).map((x, n) => x - xs[n]).sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)] : 0;
}

// Waits until a chart has been drawn on the shared time window.
async function drawn(page, id) {
  await page.locator(`details#${id}[data-ready]`).waitFor({ state: 'attached' });
}

// Centres of the beat boxes of one chart, left to right.
async function beatPositions(page, id) {
  return page.$$eval(`details#${id} .vis-item.vis-box.beat`, (boxes) =>
    boxes.map((b) => { const r = b.getBoundingClientRect(); return r.left + r.width / 2; })
      .sort((a, b) => a - b));
}

test('every chart draws its ideal beats, measurements and beats', async () => {
  const page = await open();
  const ids = await page.$$eval('details.chart', (all) => all.map((d) => d.id));
  assert.equal(ids.length, 18);  // the fourteen charts, then the post's four examples
  assert.equal(await page.locator('details.chart[open]').count(), 0, 'charts start collapsed');
  await page.click('#expand-all');
  assert.equal(await page.locator('details.chart[open]').count(), 18);
  for (const [index, id] of ids.entries()) {
    const chart = page.locator(`details#${id}`);
    await drawn(page, id);
    // A box item is drawn as a box, a line and a dot; the box is the item itself.
    assert.equal(await chart.locator('.vis-item.vis-box.ghost').count(), BEATS, `${id}: ghosts`);
    assert.equal(await chart.locator('.vis-item.vis-box.beat').count(), BEATS, `${id}: beats`);
    assert.ok(await chart.locator('.vis-item.vis-background.volume').count() >= 1,
              `${id}: volume measurements`);
    const title = await chart.locator('summary .title').innerText();
    assert.match(title, /^\d+\. \S/, `${id}: numbered caption`);
    // Its code is in the page, not behind a link that works only beside the sources.
    assert.equal(await chart.locator('details.code pre code').count(), 1, `${id}: its code`);
    // The fourteen link the Go file they port; the post's examples have none in outo/metronome.
    if (index < 14) {
      const twin = await chart.locator('p.go-twin a').getAttribute('href');
      assert.match(twin, /^https:\/\/github\.com\/outo\/metronome\/blob\/HEAD\/scenario\/[a-z_]+\.go$/);
    } else {
      assert.equal(await chart.locator('p.go-twin').count(), 0, `${id}: no Go twin`);
    }
  }
  // The red line only where a metronome may return before its work ends.
  assert.equal(await page.locator('details#async_naive .vis-custom-time.end').count(), 1);
  assert.equal(await page.locator('details#sync_ticker .vis-custom-time.end').count(), 0);
  const red = await page.$eval('details#async_naive .vis-custom-time.end',
                               (bar) => getComputedStyle(bar).backgroundColor);
  assert.equal(red, 'rgb(255, 0, 0)');
  // One time window for all: the first ghost sits at the same x on every chart.
  const firstGhosts = await page.$$eval('details.chart', (all) => all.map((d) => {
    const boxes = [...d.querySelectorAll('.vis-item.vis-box.ghost')];
    return Math.min(...boxes.map((b) => b.getBoundingClientRect().left));
  }));
  for (const x of firstGhosts) assert.ok(Math.abs(x - firstGhosts[0]) < 1.5, `${firstGhosts}`);

  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.locator('#collapse-all').click();
  for (const id of ['sync_ticker', 'async_naive', 'async_with_channels'])
    await page.locator(`details#${id} > summary`).click();
  await drawn(page, 'async_with_channels');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot, fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a deep link opens its chart and scrolls to it', async () => {
  const page = await open('#async_naive');
  const chart = page.locator('details#async_naive');
  await drawn(page, 'async_naive');
  assert.equal(await chart.evaluate((d) => d.open), true);
  assert.equal(await page.locator('details.chart[open]').count(), 1);
  // Scrolled to: as near the top as the page's length allows, and wholly in view.
  const place = await chart.evaluate((d) => {
    const r = d.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, scrolled: window.scrollY, height: window.innerHeight };
  });
  assert.ok(place.scrolled > 0 && place.top >= -1 && place.bottom <= place.height + 1,
            JSON.stringify(place));
  assert.equal(await chart.locator('.vis-item.vis-box.beat').count(), BEATS);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('hovering a beat shows its tooltip', async () => {
  const page = await open('#sync_ticker');
  const beat = page.locator('details#sync_ticker .vis-item.vis-box.beat').nth(3);
  await drawn(page, 'sync_ticker');
  await beat.hover();
  const tooltip = page.locator('div.vis-tooltip').filter({ hasText: /beat #\d+ at \d+ power/ });
  await tooltip.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await tooltip.innerText(), /^beat #\d+ at \d+ power$/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('zooming changes the window, and Reset view restores it', async () => {
  const page = await open('#sync_constant_delay');
  const id = 'sync_constant_delay';
  await drawn(page, id);
  const spacing = async () => medianGap(await beatPositions(page, id));
  // The timeline redraws on the next frame: poll until `ok(spacing)` holds.
  const settle = async (ok) => {
    let value;
    for (let tries = 0; tries < 50; ++tries) {
      value = await spacing();
      if (ok(value)) break;
      await page.waitForTimeout(100);
    }
    return value;
  };
  const initial = await spacing();
  assert.ok(initial > 5, `beats ${initial}px apart`);

  await page.click(`details#${id} button.zoom-in`);
  const zoomedIn = await settle((x) => x > initial * 1.2);
  assert.ok(zoomedIn > initial * 1.2, `zoom in: ${initial} -> ${zoomedIn}`);

  await page.click(`details#${id} button.reset`);
  const reset = await settle((x) => Math.abs(x - initial) < 0.5);
  assert.ok(Math.abs(reset - initial) < 0.5, `reset view: ${reset} vs ${initial}`);

  await page.click(`details#${id} button.zoom-out`);
  const zoomedOut = await settle((x) => x < initial / 1.2);
  assert.ok(zoomedOut < initial / 1.2, `zoom out: ${initial} -> ${zoomedOut}`);
  await page.click(`details#${id} button.reset`);
  await settle((x) => Math.abs(x - initial) < 0.5);

  // Ctrl + wheel zooms around the pointer.
  const box = await page.locator(`details#${id} .vis-center`).first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Control');
  for (let n = 0; n < 3; ++n) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(50);
  }
  await page.keyboard.up('Control');
  const wheeled = await settle((x) => x > initial * 1.3);
  assert.ok(wheeled > initial * 1.3, `ctrl + wheel: ${initial} -> ${wheeled}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('nothing was fetched from the network', () => {
  assert.deepEqual(offNetwork, []);
});
