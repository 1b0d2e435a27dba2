// What the page tests share: Debian's Chromium, driven by playwright-core, where every request
// that leaves the disk (not file: or data:) is blocked and recorded, and tabs that gather their
// script errors.
import { chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// { browser, context, offNetwork }: offNetwork lists every URL a page tried to reach off the disk.
export async function offlineBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const offNetwork = [];
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offNetwork.push(url);
    return route.abort();
  });
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !url.startsWith('data:') && !offNetwork.includes(url))
      offNetwork.push(url);
  });
  return { browser, context, offNetwork };
}

// A fresh tab on `url`; page.errors gathers every script error and console error it shows.
export async function openTab(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(url);
  page.errors = errors;
  return page;
}
