// @ts-check
/**
 * axe-core in the page under test. The app is served with a CSP that forbids inline
 * script, so axe is not added as a <script> tag: its source is evaluated through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Desktop and phone. */
export const WIDTHS = [1280, 390];

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices (landmarks, headings). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * @typedef {{ id: string, impact: string | null | undefined, help: string, nodes: string[] }} Violation
 * @typedef {{ run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string,
 *   impact?: string | null, help: string, nodes: Array<{ target: unknown[] }> }> }> }} Axe
 */

/**
 * @param {import('playwright-core').Page} page
 * @returns {Promise<Violation[]>}
 */
async function violations(page) {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = /** @type {{ axe: Axe }} */ (/** @type {unknown} */ (window)).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((node) => node.target.map(String).join(' ')),
    }));
  }, TAGS);
}

/**
 * Asserts that axe finds nothing on the page as it is now, at each width in WIDTHS; the
 * viewport is put back afterwards.
 * @param {import('playwright-core').Page} page
 * @param {string} state what is on screen, named in a failure
 */
export async function assertNoAxeViolations(page, state) {
  const original = page.viewportSize() ?? { width: 1280, height: 900 };
  /** @type {string[]} */
  const found = [];
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: original.height });
      for (const v of await violations(page)) {
        found.push(`${width}px ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
      }
    }
  } finally {
    await page.setViewportSize(original);
  }
  assert.deepEqual(found, [], `axe-core violations on ${state}`);
}
