// devour-client (npm) against v2, given nothing but the base URL and the
// bearer token, and the model definitions every devour app has: users and
// posts with their attributes and relationships, as the contract lists them.
// Used as its README shows: create, find with `include`, findAll with query
// params, one(...).all(...) for a related collection, `request(url)` for a
// link, and update with a fetched record.
//
// The client keeps devour's default logger, which prints any failed request
// whole, its Authorization header included: no request here is expected to
// fail, so a token shows only when a test fails.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import JsonApi from 'devour-client';
import {
  apiV2Url, registerV2, writePosts, storedV2, unique, assertAbsoluteLink, assertOnlyChanged,
} from './support.mjs';

const POST_ATTRIBUTES = ['title', 'body', 'pinned', 'created_at', 'updated_at'];

function makeClient(token) {
  const client = new JsonApi({ apiUrl: apiV2Url, bearer: token });
  client.define('user', {
    name: '', email: '', dob: '', age: '', address: '', profession: '', website: '', role: '',
    created_at: '', updated_at: '',
    posts: { jsonApi: 'hasMany', type: 'posts' },
  });
  client.define('post', {
    ...Object.fromEntries(POST_ATTRIBUTES.map((name) => [name, ''])),
    author: { jsonApi: 'hasOne', type: 'users' },
  });
  return client;
}

// Observes (changes nothing) what devour sends, just before axios sends it;
// the body as it goes on the wire.
function recordRequests(client) {
  const sent = [];
  client.insertMiddlewareBefore('axios-request', {
    name: 'recorder',
    req: (payload) => {
      const { method, url, data } = payload.req;
      sent.push({ method, url, data: data && JSON.parse(JSON.stringify(data)) });
      return payload;
    },
  });
  return sent;
}

// What only the user themselves (or an admin) sees: the public profile
// leaves them out.
const PRIVATE = ['email', 'dob', 'age', 'address', 'role', 'updated_at'];

let author;
let reader;
const post = {};
before(async () => {
  author = await registerV2('devour-v2-author');
  author.client = makeClient(author.token);
  reader = await registerV2('devour-v2-reader');
  reader.client = makeClient(reader.token);
});

test('devour creates a post on v2, whose author is the caller', async () => {
  const { data: created } = await author.client.create('post', {
    title: 'Compilers', body: 'A-0, and then FLOW-MATIC.',
  });
  post.id = created.id;
  assert.equal(created.type, 'posts');
  assert.equal(created.title, 'Compilers');
  assert.equal(created.pinned, false);
  assert.deepEqual(created.author, { type: 'users', id: author.id });
  assertAbsoluteLink(created.links.self, `/api/v2/posts/${post.id}`);

  const stored = await storedV2(`posts/${post.id}`, author.token);
  assert.equal(stored.attributes.body, 'A-0, and then FLOW-MATIC.');
  assert.deepEqual(stored.relationships.author.data, { type: 'users', id: author.id });
});

test('another user reads the post with devour, its author included: the public profile, no email', async () => {
  const { data: read } = await reader.client.find('post', post.id, { include: 'author' });
  assert.equal(read.title, 'Compilers');
  const writer = read.author;
  assert.equal(writer.type, 'users');
  assert.equal(writer.id, author.id);
  assert.equal(writer.name, author.name);
  for (const name of PRIVATE) assert.ok(!(name in writer), `${name} is not shown to another user`);
  assertAbsoluteLink(writer.links.self, `/api/v2/users/${author.id}`);
});

// Follows links.next from `page` to the end: the ids seen and the page sizes.
async function walk(client, page) {
  assert.equal(page.links.prev, null, 'the first page has no previous one');
  const ids = page.data.map((item) => item.id);
  const sizes = [page.data.length];
  while (page.links.next) {
    page = await client.request(page.links.next);
    ids.push(...page.data.map((item) => item.id));
    sizes.push(page.data.length);
  }
  assert.equal(page.links.next, null, 'the last page says so');
  return { ids, sizes };
}

test('devour follows links.next through the author\'s posts, three a page, seeing each once', async () => {
  const ids = [post.id, ...await writePosts(author.token, unique('devour-v2-page'), 6)];

  const first = await reader.client.findAll('post', {
    filter: { author: author.id }, include: 'author', page: { size: 3 },
  });
  assertAbsoluteLink(first.links.next, '/api/v2/posts?');
  for (const item of first.data) assert.equal(item.author.name, author.name);
  const posts = await walk(reader.client, first);
  assert.deepEqual(posts.sizes, [3, 3, 1]);
  assert.deepEqual([...posts.ids].sort(), [...ids].sort(), 'every post seen exactly once');

  // The same posts as the author's related collection.
  const related = await walk(reader.client,
    await reader.client.one('user', author.id).all('post').get({ page: { size: 3 } }));
  assert.deepEqual(related.sizes, [3, 3, 1]);
  assert.deepEqual(related.ids, posts.ids);
});

test('devour updates the post with the record it fetched, and only the changed attribute changes', async () => {
  const before = await storedV2(`posts/${post.id}`, author.token);
  const sent = recordRequests(author.client);
  const { data: record } = await author.client.find('post', post.id, { include: 'author' });
  assert.equal(record.author.email, author.email, 'the author sees their own profile whole');
  record.title = 'Compilers, and why they matter';
  const { data: saved } = await author.client.update('post', record);
  assert.equal(saved.title, 'Compilers, and why they matter');

  // What devour sent: every attribute of the model, server-owned ones
  // included, the author as linkage (with the author's meta, which the
  // server ignores), the post's links, a top-level meta.
  const patch = sent.find((request) => request.method === 'PATCH');
  assert.equal(patch.url, `${apiV2Url}/posts/${post.id}`);
  assert.deepEqual(Object.keys(patch.data.data.attributes).sort(), [...POST_ATTRIBUTES].sort());
  assert.deepEqual(Object.keys(patch.data.data.relationships), ['author']);
  const { id, type } = patch.data.data.relationships.author.data;
  assert.deepEqual({ id, type }, { id: author.id, type: 'users' });
  assert.deepEqual(patch.data.data.links, record.links);
  assert.deepEqual(patch.data.meta, {});

  const after = await storedV2(`posts/${post.id}`, author.token);
  assertOnlyChanged(before, after, { title: 'Compilers, and why they matter' });
  assert.deepEqual(after.relationships.author.data, { type: 'users', id: author.id });
});
