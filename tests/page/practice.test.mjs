// A practice take's report page in a real browser: Debian's Chromium driven by playwright-core.
//
//   node tests/page/practice.test.mjs path/to/take.html
//   node tests/page/practice.test.mjs path/to/cacophony
//
// The page is one that `cacophony analyze ... --report F` wrote; given the binary, the test writes
// a take of real drum hits (practice_take.mjs) and has it analyzed first. It is opened from disk with every
// request that isn't file: blocked, and checked against the data it embeds: the grid row, the
// hits coloured by their error, the muted bars, the missed and extra marks, the offset plot, the
// take's phases (in words and across their bars), the tempo plot, and the muted bars' key, shown
// only when some bar was muted: the take is analyzed twice for it, with its muted bars and
// without. With $CACOPHONY_SCREENSHOT set, it leaves a screenshot of the page there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { offlineBrowser, openTab } from './offline_browser.mjs';

import { writeTake } from './practice_take.mjs';

// The pages: the one given, or one analyzed from a take written here, and the same take analyzed
// without its muted bars.
function pageFiles(argument) {
  if (!argument || argument.endsWith('.html')) return { file: argument && path.resolve(argument) };
  const folder = mkdtempSync(path.join(tmpdir(), 'cacophony-practice-'));
  const take = path.join(folder, 'take.wav'), page = path.join(folder, 'take.html');
  const unmuted = path.join(folder, 'unmuted.html');
  const rhythm = writeTake(take);
  const analyze = (words, out) => execFileSync(path.resolve(argument),
                                               ['analyze', take, ...words, '--report', out],
                                               { cwd: folder });
  analyze(rhythm, page);
  const mute = rhythm.indexOf('--mute');
  analyze(rhythm.filter((_, n) => n !== mute && n !== mute + 1), unmuted);
  return { file: page, unmuted, built: true };
}

const { file, unmuted, built } = pageFiles(process.argv[2]);
const screenshot = process.env.CACOPHONY_SCREENSHOT;
// The colours of practice.css, by the class of a hit's error.
const COLOURS = { good: 'rgb(46, 158, 79)', fair: 'rgb(217, 148, 0)', bad: 'rgb(200, 54, 43)' };

let browser, page, data, offNetwork;  // offNetwork: requests that left the disk

before(async () => {
  assert.ok(file && existsSync(file), `usage: node practice.test.mjs take.html (got ${file})`);
  let context;
  ({ browser, context, offNetwork } = await offlineBrowser());
  page = await openTab(context, pathToFileURL(file).href);
  await page.locator('body[data-ready]').waitFor({ state: 'attached', timeout: 10000 });
  data = JSON.parse(await page.locator('#practice-data').textContent());
});

after(async () => {
  await browser?.close();
});

// The drawn size of every element that matches `selector`.
async function sizes(selector) {
  return page.$$eval(selector, (all) => all.map((el) => {
    const r = el.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }));
}

test('the grid row has a tick for every position, beats taller than subdivisions', async () => {
  const ticks = await sizes('#grid-row line.tick');
  assert.equal(ticks.length, data.grid.length);
  assert.ok(ticks.every((t) => t.height > 0), 'every tick drawn');
  assert.equal(await page.locator('#grid-row line.tick.beat').count(),
               data.grid.filter((p) => p.sub === 0).length);
  const beat = page.locator('#grid-row line.tick.beat').first();
  const sub = page.locator('#grid-row line.tick.sub').first();
  if (await beat.count() && await sub.count())
    assert.ok((await beat.boundingBox()).height > (await sub.boundingBox()).height);
});

test('each hit is drawn in the colour of its error, early and late apart', async () => {
  const hits = await page.$$eval('#hit-row path.hit', (all) => all.map((el) => ({
    fill: getComputedStyle(el).fill,
    classes: [...el.classList],
    width: el.getBoundingClientRect().width,
  })));
  assert.equal(hits.length, data.hits.length);
  data.hits.forEach((h, n) => {
    const size = Math.abs(h.offset_ms);
    const expected = size <= 10 ? 'good' : size <= 25 ? 'fair' : 'bad';
    assert.ok(hits[n].classes.includes(expected), `hit ${n}: ${h.offset_ms} ms ${hits[n].classes}`);
    assert.equal(hits[n].fill, COLOURS[expected], `hit ${n}: ${h.offset_ms} ms`);
    assert.ok(hits[n].classes.includes(h.offset_ms < 0 ? 'early' : 'late'), `hit ${n}`);
    assert.ok(hits[n].width > 0, `hit ${n} drawn`);
  });
  assert.equal(await page.locator('#hit-row path.missed').count(), data.missed.length);
  assert.equal(await page.locator('#hit-row path.extra').count(),
               data.extra.filter((e) => e.time_ms !== null).length);
});

test('muted bars are shaded on the time line and the plot', async () => {
  const muted = data.bars.filter((b) => b.muted && b.start_ms !== null).length;
  const shades = await sizes('#grid-svg rect.muted');
  assert.equal(shades.length, muted);
  assert.ok(shades.every((s) => s.width > 0 && s.height > 0), 'every shade drawn');
  assert.equal(await page.locator('#offset-plot rect.muted').count(), muted);
  if (muted) {
    const fill = await page.$eval('#grid-svg rect.muted', (el) => getComputedStyle(el).fill);
    assert.notEqual(fill, 'rgb(0, 0, 0)', 'styled');
  }
  assert.equal(await page.locator('#bar-rows tr').count(), data.bars.length);
  assert.equal(await page.locator('#bar-rows tr.muted').count(),
               data.bars.filter((b) => b.muted).length);
});

test('the offset plot has a trace and a point per hit', async () => {
  const measured = data.hits.filter((h) => h.offset_ms !== null);
  const points = await sizes('#offset-plot circle.point');
  assert.equal(points.length, measured.length);
  assert.ok(points.every((p) => p.width > 0), 'every point drawn');
  if (measured.length) {
    const d = await page.getAttribute('#offset-plot path.trace', 'd');
    assert.equal((d.match(/[ML]/g) || []).length, measured.length);
    assert.ok(!/NaN|undefined/.test(d), d);
  }
  const box = await page.locator('#offset-plot').boundingBox();
  assert.ok(box.width > 300 && box.height > 50, JSON.stringify(box));
});

test('the summary table is there and the take is named', async () => {
  assert.ok(await page.locator('#summary table.figures tr').count() >= 9);
  const take = await page.locator('#take').innerText();
  assert.equal(await page.title(), `cacophony practice: ${take}`.trim());
});

// The elements that match `selector`: their classes, colour and drawn place.
async function drawn(selector, within = page) {
  return within.$$eval(selector, (all) => all.map((el) => {
    const r = el.getBoundingClientRect();
    return { classes: [...el.classList], stroke: getComputedStyle(el).stroke, title: el.textContent,
             top: r.top, bottom: r.bottom, width: r.width, height: r.height };
  }));
}

test('the take at a glance says its phases and its tempo in words', async () => {
  const phases = await page.locator('#glance-list li.phase').allInnerTexts();
  assert.deepEqual(phases, data.phases.map((p) => p.words));
  assert.deepEqual(await page.locator('#glance-list li.tempo').allInnerTexts(), data.tempo_words);
  if (!built) return;
  // The take written here: on the beat, then rushed in its muted bars, then dragged and slower.
  assert.deepEqual(data.phases.map((p) => [p.first_bar, p.last_bar, p.lean]),
                   [[1, 4, 'steady'], [5, 8, 'rushed'], [9, 12, 'dragged']]);
  assert.match(phases[1], /^bars 5–8 rushed by 1[456] ms$/);
  assert.match(phases[2], /^bars 9–12 dragged by 2[123] ms$/);
  assert.deepEqual(data.tempo_phases.map((t) => [t.first_bar, t.last_bar, t.pace]),
                   [[1, 8, 'held'], [9, 12, 'slower']]);
  assert.match(data.tempo_words[1], /^slowed from 100 to 9[78] bpm in the last four bars$/);
});

test('each phase is drawn across its bars on the offset plot, at its average', async () => {
  const lines = await drawn('#offset-plot line.phase');
  assert.equal(lines.length, data.phases.length);
  const zero = (await drawn('#offset-plot line.zero'))[0];
  data.phases.forEach((p, n) => {
    assert.ok(lines[n].classes.includes(p.lean), `phase ${n}: ${lines[n].classes}`);
    assert.equal(lines[n].title, p.words);
    assert.ok(lines[n].width > 0, `phase ${n} drawn`);
    const middle = (lines[n].top + lines[n].bottom) / 2, line = (zero.top + zero.bottom) / 2;
    if (p.lean === 'rushed') assert.ok(middle > line + 1, `rushed below the line: ${middle}`);
    if (p.lean === 'dragged') assert.ok(middle < line - 1, `dragged above the line: ${middle}`);
  });
  const colours = new Set(lines.map((l) => l.stroke));
  assert.equal(colours.size, new Set(data.phases.map((p) => p.lean)).size, 'a colour a lean');
});

test('the tempo plot has a point per bar with a tempo, the click and the tempo phases', async () => {
  const points = await drawn('#tempo-plot circle.tempo-point');
  const tempi = data.tempo.filter((t) => t.bpm !== null);
  assert.equal(points.length, tempi.length);
  assert.ok(points.every((p) => p.width > 0), 'every point drawn');
  const click = await drawn('#tempo-plot line.click-tempo');
  assert.equal(click.length, 1);
  if (tempi.length) {
    const d = await page.getAttribute('#tempo-plot path.tempo-trace', 'd');
    assert.equal((d.match(/[ML]/g) || []).length, tempi.length);
    assert.ok(!/NaN|undefined/.test(d), d);
  }
  const paces = await drawn('#tempo-plot line.pace');
  assert.equal(paces.length, data.tempo_phases.length);
  const line = (click[0].top + click[0].bottom) / 2;
  data.tempo_phases.forEach((t, n) => {
    assert.ok(paces[n].classes.includes(t.pace), `tempo phase ${n}`);
    const middle = (paces[n].top + paces[n].bottom) / 2;
    if (t.pace === 'slower') assert.ok(middle > line + 1, 'slower below the click');
    if (t.pace === 'faster') assert.ok(middle < line - 1, 'faster above the click');
  });
  const box = await page.locator('#tempo-plot').boundingBox();
  assert.ok(box.width > 300 && box.height > 50, JSON.stringify(box));
  const cells = await page.locator('#bar-rows tr td:nth-child(9)').allInnerTexts();
  assert.equal(cells.filter((c) => c.endsWith(' bpm')).length, tempi.length);
});

// The muted bars' key is on a page exactly when some bar of it was muted.
async function checkLegend(tab, bars) {
  const muted = bars.some((b) => b.muted);
  assert.equal(await tab.locator('#muted-legend').count(), muted ? 1 : 0, `muted: ${muted}`);
  if (muted) assert.ok(await tab.locator('#muted-legend').isVisible());
  assert.equal(await tab.locator('rect.muted').count() > 0, muted);
}

test('the muted bars\' key only when some bar was muted', async () => {
  await checkLegend(page, data.bars);
  if (!built) return;
  assert.ok(data.bars.some((b) => b.muted), 'the take written here mutes bars 5-8');
  const tab = await openTab(page.context(), pathToFileURL(unmuted).href);
  await tab.locator('body[data-ready]').waitFor({ state: 'attached', timeout: 10000 });
  const other = JSON.parse(await tab.locator('#practice-data').textContent());
  assert.ok(other.bars.every((b) => !b.muted));
  await checkLegend(tab, other.bars);
  assert.deepEqual(tab.errors, []);
  await tab.close();
});

test('a screenshot, when asked for', async () => {
  if (!screenshot) return;
  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot, fullPage: true });
});

test('no errors, and nothing was fetched from the network', () => {
  assert.deepEqual(page.errors, []);
  assert.deepEqual(offNetwork, []);
});
