// Renders what a terminal showed (a text file) in scripts/terminal.html with Chromium and saves
// a PNG: node scripts/terminal-shot.mjs TEXT_FILE TITLE OUT.png
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [textFile, title, out] = process.argv.slice(2);
const text = readFileSync(textFile, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 200 } });
  await page.goto(pathToFileURL(path.join(import.meta.dirname, 'terminal.html')).href);
  await page.evaluate(([t, s]) => {
    document.getElementById('title').textContent = t;
    document.getElementById('screen').textContent = s;
  }, [title, text]);
  await page.locator('.window').screenshot({ path: out });
} finally {
  await browser.close();
}
