// The TypeScript client openapi-generator makes (`-g typescript-fetch`), driven
// against a live service on Node's own fetch. tests/sdk/run generates it into
// ./users-client from openapi/v1.json, compiles this file with it (tsc,
// strict) and runs the result. The generated code is used as it comes out.
//
// typescript-fetch throws a `ResponseError` holding the `Response` for any
// status outside 2xx; its body is read with the generated `ErrorDocumentFromJSON`
// (or `TokenErrorFromJSON` for the token endpoint), the SDK's typed error models.

import {
  AuthApi,
  Configuration,
  ErrorDocument,
  ErrorDocumentFromJSON,
  ResponseError,
  Role,
  TokenError,
  TokenErrorCode,
  TokenErrorFromJSON,
  UserCreateDocument,
  UserType,
  UserUpdateAttributes,
  UserUpdateDocument,
  UsersApi,
} from "./users-client";
import { check, equal, run, settings } from "./checks";

const { baseUrl, adminEmail, adminPassword, tag, password, email } = settings("typescript-fetch");

/** The ResponseError `call` rejects with; anything else fails the flow. */
async function rejects(call: () => Promise<unknown>): Promise<ResponseError> {
  let result: unknown;
  try {
    result = await call();
  } catch (error) {
    if (error instanceof ResponseError) return error;
    throw error;
  }
  throw new Error(`expected a ResponseError, got ${JSON.stringify(result)}`);
}

/** Checks that `call` fails with `status` and an ErrorDocument of these codes. */
async function fails(
  what: string,
  call: () => Promise<unknown>,
  status: number,
  codes: string[],
): Promise<ErrorDocument> {
  const error = await rejects(call);
  const document = ErrorDocumentFromJSON(await error.response.json());
  equal(`${what}: status`, error.response.status, status);
  equal(`${what}: errors[].code`, document.errors.map((e) => e.code), codes);
  equal(
    `${what}: errors[].status`,
    document.errors.map((e) => e.status),
    codes.map(() => String(status)),
  );
  return document;
}

function newUser(name: string, address: string, attributes: object = {}): UserCreateDocument {
  return {
    data: {
      type: UserType.Users,
      attributes: { name, email: address, password, ...attributes },
    },
  };
}

function changes(id: string, attributes: UserUpdateAttributes): UserUpdateDocument {
  return { data: { type: UserType.Users, id, attributes } };
}

async function flow(): Promise<void> {
  const anonymous = new Configuration({ basePath: baseUrl });
  const auth = new AuthApi(anonymous);
  const signedIn = (accessToken: string) =>
    new UsersApi(new Configuration({ basePath: baseUrl, accessToken }));

  // Register.
  const address = email("ada");
  const created = await new UsersApi(anonymous).createUserRaw({
    userCreateDocument: newUser("Ada Lovelace", address, {
      dob: new Date("1815-12-10"),
      profession: "Mathematician",
    }),
  });
  const document = await created.value();
  const ada = document.data;
  const path = `${baseUrl}/api/v1/users/${ada.id}.json`;
  equal("register: status", created.raw.status, 201);
  equal("register: Location header", created.raw.headers.get("Location"), path);
  equal("register: links.self", ada.links.self, path);
  equal("register: jsonapi.version", document.jsonapi.version, "1.1");
  equal("register: type", ada.type, UserType.Users);
  equal("register: email read back", ada.attributes.email, address);
  check("register: dob read back as a Date", ada.attributes.dob instanceof Date, ada.attributes.dob);
  equal("register: dob", ada.attributes.dob?.toISOString().slice(0, 10), "1815-12-10");
  check("register: age derived from dob", (ada.attributes.age ?? 0) >= 210, ada.attributes.age);
  equal("register: role defaults to user", ada.attributes.role, Role.User);
  check(
    "register: created_at is a Date",
    ada.attributes.createdAt instanceof Date,
    ada.attributes.createdAt,
  );

  await fails(
    "register the same email",
    () => new UsersApi(anonymous).createUser({ userCreateDocument: newUser("Ada Again", address) }),
    409,
    ["email_taken"],
  );
  const invalid = await fails(
    "register with a bad email and website",
    () =>
      new UsersApi(anonymous).createUser({
        userCreateDocument: newUser("Bad Data", "not an address", { website: "ftp://example.com" }),
      }),
    422,
    ["invalid_attribute", "invalid_attribute"],
  );
  equal(
    "register with bad data: pointers",
    invalid.errors.map((e) => e.source?.pointer).sort(),
    ["/data/attributes/email", "/data/attributes/website"],
  );

  // Sign in.
  const refused = await rejects(() =>
    auth.createToken({ grantType: "password", username: address, password: "wrong".repeat(4) }),
  );
  const tokenError: TokenError = TokenErrorFromJSON(await refused.response.json());
  equal("sign in with a wrong password: status", refused.response.status, 400);
  equal("sign in with a wrong password: error", tokenError.error, TokenErrorCode.InvalidGrant);

  const token = await auth.createToken({ grantType: "password", username: address, password });
  equal("sign in: tokenType", token.tokenType, "Bearer");
  check("sign in: expiresIn > 0", token.expiresIn > 0, token.expiresIn);
  const users = signedIn(token.accessToken);

  // Read yourself.
  const me = await users.getCurrentUser();
  equal("me: id", me.data.id, ada.id);
  equal("me: name", me.data.attributes.name, "Ada Lovelace");
  const sparse = await users.getCurrentUser({ fieldsUsers: "name" });
  equal("me with fields[users]=name: name", sparse.data.attributes.name, "Ada Lovelace");
  equal("me with fields[users]=name: email left out", sparse.data.attributes.email, undefined);
  await fails("me without a token", () => new UsersApi(anonymous).getCurrentUser(), 401, [
    "unauthenticated",
  ]);

  // PATCH: set two attributes, clear one with null, leave the others.
  const id = Number(ada.id);
  const updated = await users.updateUser({
    id,
    userUpdateDocument: changes(ada.id, { website: "https://example.com/ada", dob: null }),
  });
  equal("patch: website", updated.data.attributes.website, "https://example.com/ada");
  equal("patch: dob cleared by null", updated.data.attributes.dob, null);
  equal("patch: age follows dob", updated.data.attributes.age, null);
  equal("patch: profession kept", updated.data.attributes.profession, "Mathematician");
  const again = await users.getUser({ id });
  equal("patch: website read back", again.data.attributes.website, "https://example.com/ada");
  equal("patch: dob read back", again.data.attributes.dob, null);

  await fails(
    "patch your own role",
    () => users.updateUser({ id, userUpdateDocument: changes(ada.id, { role: Role.Admin }) }),
    403,
    ["role_forbidden"],
  );
  await fails("list as a user", () => users.listUsers(), 403, ["forbidden"]);

  // List as an admin: paging, sorting and a filter.
  const adminToken = await auth.createToken({
    grantType: "password",
    username: adminEmail,
    password: adminPassword,
  });
  const admin = signedIn(adminToken.accessToken);
  for (const name of ["Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]) {
    await admin.createUser({
      userCreateDocument: newUser(name, email(name.split(" ")[0].toLowerCase())),
    });
  }
  const expected = ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]
    .sort()
    .reverse();
  const first = await admin.listUsers({ filterQ: tag, sort: "-name", pageSize: 3 });
  equal("list: meta.total", first.meta.total, 4);
  equal(
    "list page 1: names sorted by -name",
    first.data.map((u) => u.attributes.name),
    expected.slice(0, 3),
  );
  check("list page 1: links.next", typeof first.links.next === "string", first.links);
  equal("list page 1: no links.prev", first.links.prev, undefined);
  const second = await admin.listUsers({ filterQ: tag, sort: "-name", pageSize: 3, pageNumber: 2 });
  equal("list page 2: the rest", second.data.map((u) => u.attributes.name), expected.slice(3));
  equal("list page 2: no links.next", second.links.next, undefined);
  const admins = await admin.listUsers({ filterRole: Role.Admin, filterEmail: adminEmail });
  equal("list filtered by role and email", admins.data.map((u) => u.attributes.email), [adminEmail]);
  const badSort = await fails(
    "list sorted by an unknown field",
    () => admin.listUsers({ sort: "password" }),
    400,
    ["invalid_parameter"],
  );
  equal("list sorted by an unknown field: source.parameter", badSort.errors[0].source?.parameter, "sort");

  // Delete.
  const deleted = await users.deleteUserRaw({ id });
  equal("delete: status", deleted.raw.status, 204);
  await fails("read a deleted user", () => admin.getUser({ id }), 404, ["not_found"]);
  await fails("the deleted user's token", () => users.getCurrentUser(), 401, ["invalid_token"]);
}

void run("typescript (typescript-fetch)", flow);
