// What both browser tests share: the service's address and credentials (set
// by ./run), headless Chromium, screenshots, and a few API calls made from
// Node to know what the page ought to show.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests with tests/browser/run`);
  }
  return value;
}

export const config = {
  baseUrl: required('BASE_URL').replace(/\/$/, ''),
  admin: { email: required('ADMIN_EMAIL'), password: required('ADMIN_PASSWORD') },
  user: { email: required('USER_EMAIL'), password: required('USER_PASSWORD') },
  screenshots: process.env.SCREENSHOT_DIR || path.resolve(here, '../../target/browser'),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

export function url(pathname) {
  return config.baseUrl + pathname;
}

// Never lets playwright download a browser: Debian's chromium, headless.
export async function launch() {
  return chromium.launch({
    executablePath: config.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// A page in a fresh context that records what went wrong in it: uncaught
// exceptions, console errors (CSP and SRI violations among them) and failed
// requests.
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  return { page, problems };
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(config.screenshots, { recursive: true });
  const file = path.join(config.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

export async function signIn({ email, password }) {
  const response = await fetch(url('/api/v1/auth/token'), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: email, password }),
  });
  if (response.status !== 200) {
    throw new Error(`signing in as ${email}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()).access_token;
}

export async function api(method, pathname, { token, body } = {}) {
  const headers = { Accept: 'application/vnd.api+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/vnd.api+json';
  const response = await fetch(url(pathname), {
    method,
    headers,
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// A string no other run produced, for emails and names.
export function unique(label) {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
