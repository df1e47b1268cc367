// Swagger UI of each version (/api/v1/docs, /api/v2/docs): Authorize with
// the OAuth 2 password flow (username = email), then "Try it out" on
// getCurrentUser and on updateUser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { config, url, launch, newPage, screenshot, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Opens an operation, presses "Try it out", lets `fill` edit its inputs,
// executes it, and returns the response the page received and the status
// and body Swagger UI shows.
async function tryOperation(page, prefix, operationId, fill = async () => {}) {
  const block = page.locator(`#operations-Users-${operationId}`);
  await block.locator('.opblock-summary-control').click();
  await block.locator('.try-out__btn').click();
  await fill(block);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`${prefix}/users/`) && r.request().method() !== 'OPTIONS'),
    block.locator('.execute').click(),
  ]);
  const shown = block.locator('.live-responses-table tbody tr.response');
  const shownStatus = (await shown.locator('.response-col_status').innerText()).trim();
  const shownBody = await shown.locator('.response-col_description pre').first().innerText();
  return { block, response, shownStatus, shownBody };
}

// Drives the Swagger UI of the version at `prefix`, whose resource URLs
// end with `suffix`.
async function authorizeReadAndPatch(prefix, suffix, screenshotName) {
  const { page, problems } = await newPage(browser);
  await page.goto(url(`${prefix}/docs`));
  await page.locator('.swagger-ui .info .title').waitFor();

  // Authorize: the oauth2 scheme's password flow, email as username,
  // client fields left empty.
  await page.locator('.auth-wrapper .authorize').click();
  const oauth = page.locator('.modal-ux .auth-container').filter({ hasText: '(OAuth2, password)' });
  await oauth.locator('#oauth_username').fill(config.user.email);
  await oauth.locator('#oauth_password').fill(config.user.password);
  const [tokenResponse] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`${prefix}/auth/token`)),
    oauth.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click(),
  ]);
  assert.equal(tokenResponse.status(), 200, 'the token endpoint answers 200');
  assert.match(tokenResponse.request().postData() ?? '', /grant_type=password/);
  await oauth.getByText('Authorized', { exact: true }).waitFor();
  await oauth.getByRole('button', { name: 'Remove authorization' }).waitFor();
  await page.locator('.modal-ux .btn-done').first().click();
  await page.locator('.modal-ux').waitFor({ state: 'detached' });

  // GET the signed-in user.
  const me = await tryOperation(page, prefix, 'getCurrentUser');
  assert.ok(me.response.url().endsWith(`${prefix}/users/me${suffix}`), me.response.url());
  assert.equal(me.response.status(), 200);
  assert.match(me.response.request().headers().authorization ?? '', /^Bearer \S+$/);
  const document = await me.response.json();
  assert.equal(document.data.type, 'users');
  assert.equal(document.data.attributes.email, config.user.email);
  assert.equal(me.shownStatus, '200');
  assert.ok(me.shownBody.includes(config.user.email), 'Swagger UI shows the user');
  const id = document.data.id;

  // PATCH the user with an edited body.
  const profession = unique('Swagger tester');
  const edited = { data: { type: 'users', id, attributes: { profession } } };
  const patched = await tryOperation(page, prefix, 'updateUser', async (block) => {
    await block.locator('tr[data-param-name="id"] input').fill(id);
    await block.locator('textarea.body-param__text').fill(JSON.stringify(edited, null, 2));
  });
  assert.equal(patched.response.request().method(), 'PATCH');
  assert.ok(patched.response.url().endsWith(`${prefix}/users/${id}${suffix}`), patched.response.url());
  assert.equal(patched.response.status(), 200);
  const updated = await patched.response.json();
  assert.equal(updated.data.attributes.profession, profession);
  assert.equal(patched.shownStatus, '200');
  assert.ok(patched.shownBody.includes(profession), 'Swagger UI shows the changed attribute');

  // The viewport, not the whole page: two operations opened are 13000
  // pixels tall. This shows the PATCH's URL, the 200 and the body below it.
  await patched.block.locator('.request-url').evaluate((element) => {
    element.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -60);
  });
  await screenshot(page, screenshotName, { fullPage: false });
  // poem-openapi's Swagger UI page names no icon, so Chromium asks for
  // /favicon.ico, which the service does not have.
  assert.deepEqual(problems.filter((problem) => !problem.includes('/favicon.ico')), []);
}

test('v1 Swagger UI authorizes with the password flow, then reads and patches the user', async () => {
  await authorizeReadAndPatch('/api/v1', '.json', 'swagger-ui');
});

test('v2 Swagger UI authorizes with the password flow, then reads and patches the user', async () => {
  await authorizeReadAndPatch('/api/v2', '', 'swagger-ui-v2');
});
