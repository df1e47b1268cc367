// Version 2 through the TypeScript client openapi-generator makes
// (`-g typescript-fetch`), driven against a live service on Node's own fetch.
// tests/sdk/run generates it into ./users-client-v2 from openapi/v2.json,
// compiles this file with it (tsc, strict) and runs the result; the generated
// code is used as it comes out. A user registers, signs in, writes posts,
// reads one with its author included, walks every page of them by cursor and
// changes one.

import {
  AuthApi,
  Configuration,
  ErrorDocumentFromJSON,
  IncludedResource,
  PostCreateDocument,
  PostType,
  PostUpdateAttributes,
  PostUpdateDocument,
  PostsApi,
  ResponseError,
  UserCreateDocument,
  UserResource,
  UserType,
  UsersApi,
} from "./users-client-v2";
import { check, equal, run, settings } from "./checks";

const { baseUrl, password, email } = settings("v2-typescript-fetch");
const pageSize = 3;
// Enough for three pages, the last one short.
const postCount = 2 * pageSize + 1;
// What a user's public profile leaves out.
const privateAttributes = ["email", "dob", "age", "address", "role", "updatedAt"] as const;

function newUser(name: string, address: string): UserCreateDocument {
  return {
    data: {
      type: UserType.Users,
      attributes: { name, email: address, password, profession: "Mathematician" },
    },
  };
}

function newPost(title: string, body: string): PostCreateDocument {
  return { data: { type: PostType.Posts, attributes: { title, body } } };
}

function changes(id: string, attributes: PostUpdateAttributes): PostUpdateDocument {
  return { data: { type: PostType.Posts, id, attributes } };
}

/** The users among `included`. */
function users(included: IncludedResource[] | undefined): UserResource[] {
  return (included ?? []).flatMap((resource) =>
    resource.type === UserType.Users ? [resource] : [],
  );
}

async function flow(): Promise<void> {
  const anonymous = new Configuration({ basePath: baseUrl });
  const auth = new AuthApi(anonymous);
  const registerAndSignIn = async (name: string, address: string) => {
    const created = await new UsersApi(anonymous).createUserRaw({
      userCreateDocument: newUser(name, address),
    });
    const token = await auth.createToken({ grantType: "password", username: address, password });
    const posts = new PostsApi(
      new Configuration({ basePath: baseUrl, accessToken: token.accessToken }),
    );
    return { created, posts };
  };

  // Register, anonymously, and sign in.
  const address = email("ada");
  const { created, posts } = await registerAndSignIn("Ada Lovelace", address);
  const ada = (await created.value()).data;
  const userPath = `${baseUrl}/api/v2/users/${ada.id}`;
  equal("register: status", created.raw.status, 201);
  equal("register: links.self", ada.links.self, userPath);
  equal("register: email read back", ada.attributes.email, address);

  // Write a post.
  const written = await posts.createPostRaw({
    postCreateDocument: newPost("Notes on the Engine", "It weaves."),
  });
  const post = (await written.value()).data;
  const postPath = `${baseUrl}/api/v2/posts/${post.id}`;
  equal("create a post: status", written.raw.status, 201);
  equal("create a post: Location header", written.raw.headers.get("Location"), postPath);
  equal("create a post: links.self", post.links.self, postPath);
  equal("create a post: type", post.type, PostType.Posts);
  equal("create a post: title", post.attributes.title, "Notes on the Engine");
  equal("create a post: pinned by default", post.attributes.pinned, false);
  check(
    "create a post: createdAt is a Date",
    post.attributes.createdAt instanceof Date,
    post.attributes.createdAt,
  );
  equal("create a post: author is the caller", post.relationships?.author?.data.id, ada.id);

  // Read it back with its author included, as its author and as another user.
  const id = Number(post.id);
  const read = await posts.getPost({ id, include: "author" });
  equal("read with include=author: the post", read.data.id, post.id);
  equal("read with include=author: one included resource", read.included?.length, 1);
  const [author] = users(read.included);
  check("read with include=author: a user", author !== undefined, read.included);
  equal("included author: type", author?.type, UserType.Users);
  equal("included author: id", author?.id, ada.id);
  equal("included author: links.self", author?.links.self, userPath);
  equal("included author: name", author?.attributes.name, "Ada Lovelace");
  equal("included author: profession", author?.attributes.profession, "Mathematician");
  equal("included author, to herself: email", author?.attributes.email, address);

  const grace = (await registerAndSignIn("Grace Hopper", email("grace"))).posts;
  const [seen] = users((await grace.getPost({ id, include: "author" })).included);
  equal("included author, to another user: id", seen?.id, ada.id);
  equal("included author, to another user: name", seen?.attributes.name, "Ada Lovelace");
  equal(
    "included author, to another user: private attributes shown",
    privateAttributes.filter((name) => seen?.attributes[name] !== undefined),
    [],
  );

  // Walk every page of her posts by cursor.
  const writtenIds = [post.id];
  for (let number = 2; number <= postCount; number += 1) {
    const more = await posts.createPost({
      postCreateDocument: newPost(`Note ${number}`, `Body ${number}`),
    });
    writtenIds.push(more.data.id);
  }
  const seenIds: string[] = [];
  let after: string | undefined;
  let pages = 0;
  // A walk longer than there are posts would be a cursor that never ends.
  while (pages <= postCount) {
    const page = await posts.listPosts({
      filterAuthor: Number(ada.id),
      pageSize,
      pageAfter: after,
      include: "author",
    });
    pages += 1;
    seenIds.push(...page.data.map((item) => item.id));
    equal(`page ${pages}: meta.page.total`, page.meta.page.total, postCount);
    equal(
      `page ${pages}: the author included once`,
      (page.included ?? []).map((resource) => [resource.type, resource.id]),
      [[UserType.Users, ada.id]],
    );
    if (page.links.next == null) break;
    after = page.data[page.data.length - 1].meta.page?.cursor;
    equal(
      `page ${pages}: links.next goes on from the last item's cursor`,
      new URL(page.links.next).searchParams.get("page[after]"),
      after,
    );
  }
  check(`pages: at least 3 of ${pageSize}`, pages >= 3, pages);
  equal("pages: each post seen once", [...seenIds].sort(), [...writtenIds].sort());

  // Change a post.
  const changed = await posts.updatePost({
    id,
    postUpdateDocument: changes(post.id, { title: "Notes, revised", pinned: true }),
  });
  equal("update: title", changed.data.attributes.title, "Notes, revised");
  equal("update: pinned", changed.data.attributes.pinned, true);
  equal("update: body kept", changed.data.attributes.body, "It weaves.");
  const again = await posts.getPost({ id });
  equal("update: title read back", again.data.attributes.title, "Notes, revised");
  const first = await posts.listPosts({ filterAuthor: Number(ada.id), pageSize });
  equal("update: the pinned post comes first", first.data[0]?.id, post.id);

  const refused: unknown = await grace
    .updatePost({ id, postUpdateDocument: changes(post.id, { title: "Not hers" }) })
    .catch((error: unknown) => error);
  if (check("update another user's post: a ResponseError", refused instanceof ResponseError, refused)) {
    const response = (refused as ResponseError).response;
    const codes = ErrorDocumentFromJSON(await response.json()).errors.map((e) => e.code);
    equal("update another user's post: status", response.status, 403);
    equal("update another user's post: errors[].code", codes, ["forbidden"]);
  }
}

void run("v2 typescript (typescript-fetch)", flow);
