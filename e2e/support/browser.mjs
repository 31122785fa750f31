// @ts-check
/** Debian's Chromium, driven by playwright-core (no browser download). */
import { chromium } from 'playwright-core';

// Without the networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses. Playwright gives each launch a fresh profile dir.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
}
