// What the client tests share: the service's address and the admin's
// credentials (set by ./run), signing in, plain requests made with fetch to
// set up and to check what the service stored (never through the client
// under test), and the one piece of client configuration v1 needs: the
// `.json` suffix on resource URLs. v2 needs none.
import assert from 'node:assert/strict';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests with tests/clients/run`);
  }
  return value;
}

export const config = {
  baseUrl: required('BASE_URL').replace(/\/$/, ''),
  admin: { email: required('ADMIN_EMAIL'), password: required('ADMIN_PASSWORD') },
};

// What each client is given as its base URL.
export const apiUrl = `${config.baseUrl}/api/v1`;
export const apiV2Url = `${config.baseUrl}/api/v2`;

export const PASSWORD = 'a perfectly long passphrase';

// `users` -> `users.json`, `http://h/api/v1/users/5` -> `.../users/5.json`;
// a URL whose path already ends in `.json` (a link the service wrote) and
// its query string are left alone.
export function jsonSuffix(url) {
  return url.replace(/^[^?#]*/, (path) => (path.endsWith('.json') ? path : `${path}.json`));
}

// POST /api/v1/auth/token (or v2's), form-encoded (RFC 6749, 4.3). JSON:API
// clients have no OAuth 2 support of their own, so tokens come from here.
export async function signIn({ email, password }, base = apiUrl) {
  const response = await fetch(`${base}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: email, password }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `signing in as ${email}: ${JSON.stringify(body)}`);
  assert.equal(body.token_type, 'Bearer');
  return body.access_token;
}

// A plain request, to see what the service stored.
export async function api(method, pathname, { token, body } = {}) {
  const headers = { Accept: 'application/vnd.api+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/vnd.api+json';
  const response = await fetch(config.baseUrl + pathname, {
    method,
    headers,
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export async function stored(id, token) {
  const answer = await api('GET', `/api/v1/users/${id}.json`, { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.data;
}

// A string no other run produced, for emails and names.
export function unique(label) {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

// Registers `count` users through plain requests, named `${label} n`.
export async function register(label, count) {
  const ids = [];
  for (let n = 0; n < count; n += 1) {
    const answer = await api('POST', '/api/v1/users.json', {
      body: { data: { type: 'users', attributes: { name: `${label} ${n}`, email: `${label}-${n}@example.com`, password: PASSWORD } } },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    ids.push(answer.body.data.id);
  }
  return ids;
}

export function assertAbsoluteLink(link, pathname) {
  assert.equal(typeof link, 'string', `a link to ${pathname}`);
  assert.ok(link.startsWith(`${config.baseUrl}${pathname}`),
    `${link} is an absolute link to ${config.baseUrl}${pathname}`);
}

// Every attribute of `after` equals `before`'s but the ones named (and
// updated_at, which a change moves).
export function assertOnlyChanged(before, after, changed) {
  const skip = new Set([...Object.keys(changed), 'updated_at']);
  for (const [name, value] of Object.entries(before.attributes)) {
    if (!skip.has(name)) assert.deepEqual(after.attributes[name], value, `${name} is unchanged`);
  }
  for (const [name, value] of Object.entries(changed)) {
    assert.deepEqual(after.attributes[name], value, `${name} is changed`);
  }
}

// v2: a user registered and signed in (at v2's token endpoint) with plain
// requests, as { id, name, email, token }.
export async function registerV2(label) {
  const name = unique(label);
  const email = `${name}@example.com`;
  const answer = await api('POST', '/api/v2/users', {
    body: { data: { type: 'users', attributes: { name, email, password: PASSWORD } } },
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return { id: answer.body.data.id, name, email, token: await signIn({ email, password: PASSWORD }, apiV2Url) };
}

// v2: `count` posts written by the token's user with plain requests, titled
// `${label} n`; their ids in the order written.
export async function writePosts(token, label, count) {
  const ids = [];
  for (let n = 0; n < count; n += 1) {
    const answer = await api('POST', '/api/v2/posts', {
      token, body: { data: { type: 'posts', attributes: { title: `${label} ${n}`, body: `Post ${n} of ${label}.` } } },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    ids.push(answer.body.data.id);
  }
  return ids;
}

// v2: the resource object at `pathname` as the service stores it.
export async function storedV2(pathname, token) {
  const answer = await api('GET', `/api/v2/${pathname}`, { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.data;
}
