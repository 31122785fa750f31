// @ts-check
/** A fresh server with an admin and a clinician, for the tests of pages only staff reach. */
import { after, before } from 'node:test';
import { apiToken, newPassword, newUsername } from './data.mjs';
import { pagesPerTest } from './pages.mjs';
import { startServer } from './servers.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{ username: string, password: string }} Account */

/**
 * Registers the hooks (call it in a describe block) that start a server on a fresh database
 * with an admin and a clinician, both made with the back end's CLI so neither has to change a
 * temporary password, and the clinician's API token (patients made and checked from Node).
 */
export function staffOnFreshServer() {
  const pages = pagesPerTest();
  const staff = {
    /** @type {import('./servers.mjs').RunningServer} */
    server: /** @type {any} */ (undefined),
    /** @type {Account} */
    admin: { username: newUsername('admin'), password: newPassword() },
    /** @type {Account} */
    clinician: { username: newUsername('clinician'), password: newPassword() },
    token: '',
    /** A page of its own, signed in as `account`. */
    pageAs: (/** @type {Account} */ account) => pages.open({ baseUrl: staff.server.baseUrl, account }),
  };

  before(async () => {
    staff.server = await startServer();
    await staff.server.createUser(staff.admin.username, 'admin', staff.admin.password);
    await staff.server.createUser(staff.clinician.username, 'clinician', staff.clinician.password);
    staff.token = await apiToken(staff.server.baseUrl, staff.clinician.username, staff.clinician.password);
  });

  after(async () => {
    await staff.server?.stop();
  });

  return staff;
}

/** A labelled region (a section) of the page. */
export const region = (/** @type {Page} */ page, /** @type {string} */ name) =>
  page.getByRole('region', { name, exact: true });

/** Follows a link of the header's navigation. */
export const goTo = (/** @type {Page} */ page, /** @type {string} */ name) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
