// @ts-check
/** Signing a browser context in and watching a page for script errors and CSP refusals. */

/**
 * Signs the context in through the API: the session cookie lands in the context's own
 * cookie store, so its pages open signed in. For tests about other things than signing in.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} baseUrl
 * @param {{ username: string, password: string }} account
 */
export async function signInContext(context, baseUrl, account) {
  const response = await context.request.post(`${baseUrl}/auth/login`, {
    data: { username: account.username, password: account.password },
    headers: { Origin: baseUrl },
  });
  if (response.status() !== 200) {
    throw new Error(`POST /auth/login as ${account.username} answered ${response.status()}: ${await response.text()}`);
  }
}

/**
 * Collects what must not happen in a page: uncaught script errors and anything the
 * Content-Security-Policy refused (Chromium reports those on the console).
 * @param {import('playwright-core').Page} page
 * @param {string[]} problems
 */
export function watchPage(page, problems) {
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
}

/**
 * Signs in through the page's form.
 * @param {import('playwright-core').Page} page
 * @param {string} username
 * @param {string} password
 */
export async function signInWithForm(page, username, password) {
  const form = page.getByRole('region', { name: 'Sign in', exact: true });
  await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
}
