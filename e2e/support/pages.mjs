// @ts-check
/**
 * The browser pages of a test file: each test opens pages in browser contexts of its own
 * (cookies included), closed when the test ends, and fails on any script error or CSP refusal
 * those pages met. Also where screenshots go.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { ROOT } from './servers.mjs';
import { signInContext, watchPage } from './session.mjs';

/** test-results/e2e, unless E2E_SCREENSHOT_DIR names another folder. */
export const SHOTS = join(ROOT, process.env.E2E_SCREENSHOT_DIR ?? join('test-results', 'e2e'));

/**
 * The whole page, into SHOTS.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

/**
 * Registers the hooks that launch the browser for the file (or describe block) it is called in,
 * and close each test's pages after it.
 */
export function pagesPerTest() {
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {import('playwright-core').BrowserContext[]} */
  let contexts = [];
  /** @type {string[]} */
  let problems = [];

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(() => {
    contexts = [];
    problems = [];
  });
  afterEach(async () => {
    for (const context of contexts) await context.close();
    assert.deepEqual(problems, [], 'no script errors or CSP refusals in the page');
  });

  return {
    /**
     * A page in a context of its own, 1280 pixels wide: signed out, or signed in through the
     * API as `account` on the server at `baseUrl`.
     * @param {{ baseUrl: string, account: { username: string, password: string } }} [signIn]
     * @returns {Promise<import('playwright-core').Page>}
     */
    async open(signIn) {
      if (!browser) throw new Error('pagesPerTest(): the browser is not launched yet');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      if (signIn) await signInContext(context, signIn.baseUrl, signIn.account);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      watchPage(page, problems);
      return page;
    },
  };
}
