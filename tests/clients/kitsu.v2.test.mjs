// kitsu (npm) against v2, given nothing but the base URL and the bearer
// token: URLs without a suffix are what kitsu builds by itself. Used as its
// README shows: create, get with `include`, params for filters and pages,
// `request({ url })` for a link, and patch with a fetched object.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import Kitsu from 'kitsu';
import {
  apiV2Url, registerV2, writePosts, storedV2, unique, assertAbsoluteLink, assertOnlyChanged,
} from './support.mjs';

function makeClient(token) {
  return new Kitsu({ baseURL: apiV2Url, headers: { Authorization: `Bearer ${token}` } });
}

// Observes (changes nothing) what kitsu sent, as axios sent it.
function recordRequests(client) {
  const sent = [];
  client.interceptors.response.use((response) => {
    const { method, url, data } = response.config;
    sent.push({ method: method.toUpperCase(), url, data: data && JSON.parse(data) });
    return response;
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
  author = await registerV2('kitsu-v2-author');
  author.client = makeClient(author.token);
  reader = await registerV2('kitsu-v2-reader');
  reader.client = makeClient(reader.token);
});

test('kitsu creates a post on v2, whose author is the caller', async () => {
  const created = await author.client.create('posts', {
    title: 'Orbital mechanics', body: 'Trajectories for Friendship 7.',
  });
  assert.equal(created.status, 201);
  post.id = created.data.id;
  assert.equal(created.data.type, 'posts');
  assert.equal(created.data.title, 'Orbital mechanics');
  assert.equal(created.data.pinned, false);
  assert.deepEqual(created.data.author.data, { type: 'users', id: author.id });
  assertAbsoluteLink(created.data.links.self, `/api/v2/posts/${post.id}`);
  assert.equal(created.headers.location, created.data.links.self);

  const stored = await storedV2(`posts/${post.id}`, author.token);
  assert.equal(stored.attributes.body, 'Trajectories for Friendship 7.');
  assert.deepEqual(stored.relationships.author.data, { type: 'users', id: author.id });
});

test('another user reads the post with kitsu, its author included: the public profile, no email', async () => {
  const read = await reader.client.get(`posts/${post.id}`, { params: { include: 'author' } });
  assert.equal(read.status, 200);
  assert.equal(read.data.title, 'Orbital mechanics');
  const { data: writer, links } = read.data.author;
  assert.equal(writer.type, 'users');
  assert.equal(writer.id, author.id);
  assert.equal(writer.name, author.name);
  for (const name of PRIVATE) assert.ok(!(name in writer), `${name} is not shown to another user`);
  assertAbsoluteLink(links.related, `/api/v2/posts/${post.id}/author`);
  // A relationship without data keeps its links and meta in kitsu.
  assert.equal(writer.posts.meta.total, 1);
  assertAbsoluteLink(writer.posts.links.related, `/api/v2/users/${author.id}/posts`);
});

// Follows links.next from `page` to the end: the ids seen and the page sizes.
async function walk(client, page) {
  assert.equal(page.links.prev, null, 'the first page has no previous one');
  const ids = page.data.map((item) => item.id);
  const sizes = [page.data.length];
  while (page.links.next) {
    page = await client.request({ url: page.links.next });
    assert.equal(page.status, 200);
    ids.push(...page.data.map((item) => item.id));
    sizes.push(page.data.length);
  }
  assert.equal(page.links.next, null, 'the last page says so');
  return { ids, sizes };
}

test('kitsu follows links.next through the author\'s posts, three a page, seeing each once', async () => {
  const ids = [post.id, ...await writePosts(author.token, unique('kitsu-v2-page'), 6)];

  const first = await reader.client.get('posts', {
    params: { filter: { author: author.id }, include: 'author', page: { size: 3 } },
  });
  assertAbsoluteLink(first.links.next, '/api/v2/posts?');
  for (const item of first.data) assert.equal(item.author.data.name, author.name);
  const posts = await walk(reader.client, first);
  assert.deepEqual(posts.sizes, [3, 3, 1]);
  assert.deepEqual([...posts.ids].sort(), [...ids].sort(), 'every post seen exactly once');

  // The same posts as the author's related collection.
  const related = await walk(reader.client,
    await reader.client.get(`users/${author.id}/posts`, { params: { page: { size: 3 } } }));
  assert.deepEqual(related.sizes, [3, 3, 1]);
  assert.deepEqual(related.ids, posts.ids);
});

test('kitsu patches the post with the object it fetched, and only the changed attribute changes', async () => {
  const before = await storedV2(`posts/${post.id}`, author.token);
  const authorBefore = await storedV2(`users/${author.id}`, author.token);
  const sent = recordRequests(author.client);
  const { data: record } = await author.client.get(`posts/${post.id}`, { params: { include: 'author' } });
  assert.equal(record.author.data.email, author.email, 'the author sees their own profile whole');
  record.title = 'Orbital mechanics, checked by hand';
  const saved = await author.client.patch('posts', record);
  assert.equal(saved.status, 200);
  assert.equal(saved.data.title, 'Orbital mechanics, checked by hand');

  // kitsu sends the author back as linkage, but with every member of the
  // included user inside the resource identifier (email, role, its posts
  // relationship as an attribute, ...): the service reads type and id only.
  const patch = sent.find((request) => request.method === 'PATCH');
  assert.equal(patch.url, `posts/${post.id}`);
  const { type, id, attributes } = patch.data.data.relationships.author.data;
  assert.deepEqual({ type, id }, { type: 'users', id: author.id });
  assert.equal(attributes.email, author.email);

  const after = await storedV2(`posts/${post.id}`, author.token);
  assertOnlyChanged(before, after, { title: 'Orbital mechanics, checked by hand' });
  assert.deepEqual(after.relationships.author.data, { type: 'users', id: author.id });
  assert.deepEqual(await storedV2(`users/${author.id}`, author.token), authorBefore, 'the author is untouched');
});
