//! The floor for the compound pages: what a service on the same HTTP server
//! (poem) and the same driver and pool (sqlx) can serve for the statements
//! the service runs, with nothing of the service around them. No token is
//! checked, no query parameter parsed, no rule applied; rows are read by
//! position and the document written by serde in the service's shape.
//!
//! It runs the statements of `bench/pgbench/<page>.sql` themselves, the
//! scripts a unit test holds to the service's own, so that the floor, the
//! service and pgbench run the same SQL. `FLOOR_BODY=fixed` still runs them
//! for every request, but answers with the first document it wrote: what is
//! left when writing the document costs nothing.
//!
//! Environment: DATABASE_URL, FLOOR_CALLER (the id in the caller's row),
//! LISTEN_ADDR (127.0.0.1:18090), DATABASE_POOL_SIZE (8, the service's
//! default on two cores), FLOOR_BODY (rendered or fixed), FLOOR_SCRIPTS
//! (bench/pgbench).

use std::sync::{Arc, OnceLock};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use poem::{EndpointExt, Response, Route, Server, get, handler, listener::TcpListener, web::Data};
use serde::Serialize;
use sqlx::{
    AssertSqlSafe, PgPool, Row,
    postgres::{PgPoolOptions, PgRow},
};

const PAGE_SIZE: usize = 20;

/// One compound page: its pgbench script's statements, split, with the
/// placeholders sqlx takes.
struct Page {
    caller: String,
    page: String,
    /// The included resources' statement, but for its list of ids.
    included: String,
    body: OnceLock<Bytes>,
}

impl Page {
    fn load(scripts: &str, name: &str, list: &str) -> Self {
        let path = format!("{scripts}/{name}.sql");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let statements: Vec<String> = code
            .split(';')
            .map(str::trim)
            .filter(|statement| !statement.is_empty())
            .map(String::from)
            .collect();
        let [caller, page, included] = <[String; 3]>::try_from(statements)
            .unwrap_or_else(|_| panic!("{path}: three statements expected"));
        assert!(included.contains(list), "{path}: no {list}");
        Self {
            caller: caller.replace(":admin", "$1"),
            page,
            included: included.replace(list, "{ids}"),
            body: OnceLock::new(),
        }
    }

    /// Runs the three statements: the caller's row, the page, and the
    /// resources it includes, for the ids `ids_of` takes from the page.
    async fn read(
        &self,
        pool: &PgPool,
        caller: i64,
        ids_of: impl Fn(&[PgRow]) -> Vec<i64>,
    ) -> (Vec<PgRow>, Vec<PgRow>) {
        let me = sqlx::query(AssertSqlSafe(self.caller.as_str()))
            .bind(caller)
            .fetch_one(pool)
            .await
            .expect("the caller's row");
        let _: i64 = me.get(0);
        let page = sqlx::query(AssertSqlSafe(self.page.as_str()))
            .fetch_all(pool)
            .await
            .expect("the page");
        let ids = ids_of(&page);
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = self.included.replace("{ids}", &placeholders.join(", "));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id);
        }
        let included = query.fetch_all(pool).await.expect("the included rows");
        (page, included)
    }

    fn answer(&self, fixed: bool, render: impl FnOnce() -> Vec<u8>) -> Response {
        let body = match self.body.get() {
            Some(body) if fixed => body.clone(),
            _ => {
                let body = Bytes::from(render());
                self.body.get_or_init(|| body.clone());
                body
            }
        };
        Response::builder()
            .content_type("application/vnd.api+json")
            .body(body)
    }
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    to_self: String,
}

#[derive(Serialize)]
struct RelationshipLinks {
    #[serde(rename = "self")]
    to_self: String,
    related: String,
}

#[derive(Serialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
}

#[derive(Serialize)]
struct Total {
    total: i64,
}

#[derive(Serialize)]
struct ToMany {
    links: RelationshipLinks,
    meta: Total,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Vec<Identifier>>,
}

#[derive(Serialize)]
struct ToOne {
    links: RelationshipLinks,
    data: Identifier,
}

#[derive(Serialize)]
struct Cursor {
    cursor: String,
}

#[derive(Serialize)]
struct ResourceMeta {
    version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<Cursor>,
}

#[derive(Serialize)]
struct UserAttributes {
    name: String,
    email: String,
    dob: Option<NaiveDate>,
    age: Option<u32>,
    address: Option<String>,
    profession: Option<String>,
    website: Option<String>,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct UserRelationships {
    posts: ToMany,
}

#[derive(Serialize)]
struct User {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    attributes: UserAttributes,
    relationships: UserRelationships,
    links: SelfLink,
    meta: ResourceMeta,
}

#[derive(Serialize)]
struct PostAttributes {
    title: String,
    body: String,
    pinned: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct PostRelationships {
    author: ToOne,
}

#[derive(Serialize)]
struct Post {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    attributes: PostAttributes,
    relationships: PostRelationships,
    links: SelfLink,
    meta: ResourceMeta,
}

#[derive(Serialize)]
struct JsonApi {
    version: &'static str,
    profile: [&'static str; 1],
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    to_self: String,
    first: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct PageMeta {
    page: Total,
}

#[derive(Serialize)]
struct Document<D, I> {
    jsonapi: JsonApi,
    data: Vec<D>,
    included: Vec<I>,
    links: PageLinks,
    meta: PageMeta,
}

fn cursor(key: impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&serde_json::json!({"s": "", "k": key})).unwrap())
}

fn document<D, I>(
    base: &str,
    path: &str,
    data: Vec<D>,
    included: Vec<I>,
    total: i64,
    last: Option<String>,
) -> Vec<u8>
where
    D: Serialize,
    I: Serialize,
{
    let first = format!("{base}/{path}");
    let document = Document {
        jsonapi: JsonApi {
            version: "1.1",
            profile: ["https://jsonapi.org/profiles/ethanresnick/cursor-pagination"],
        },
        data,
        included,
        links: PageLinks {
            to_self: first.clone(),
            next: last.map(|cursor| format!("{first}&page%5Bafter%5D={cursor}")),
            first,
            prev: None,
        },
        meta: PageMeta {
            page: Total { total },
        },
    };
    serde_json::to_vec(&document).expect("a document")
}

/// A user row's first eleven columns, in the order of the scripts' SELECT.
fn user(base: &str, row: &PgRow, posts: ToMany, page: Option<Cursor>) -> User {
    let id: i64 = row.get(0);
    User {
        kind: "users",
        id: id.to_string(),
        attributes: UserAttributes {
            name: row.get(1),
            email: row.get(2),
            dob: row.get(3),
            age: None,
            address: row.get(4),
            profession: row.get(5),
            website: row.get(6),
            role: row.get(7),
            created_at: row.get(8),
            updated_at: row.get(9),
        },
        relationships: UserRelationships { posts },
        links: SelfLink {
            to_self: format!("{base}/users/{id}"),
        },
        meta: ResourceMeta {
            version: row.get(10),
            page,
        },
    }
}

fn posts_of(base: &str, id: i64, total: i64, data: Option<Vec<Identifier>>) -> ToMany {
    ToMany {
        links: RelationshipLinks {
            to_self: format!("{base}/users/{id}/relationships/posts"),
            related: format!("{base}/users/{id}/posts"),
        },
        meta: Total { total },
        data,
    }
}

/// A post row's first eight columns, in the order of the scripts' SELECT.
fn post(base: &str, row: &PgRow, page: Option<Cursor>) -> Post {
    let id: i64 = row.get(0);
    let author: i64 = row.get(1);
    Post {
        kind: "posts",
        id: id.to_string(),
        attributes: PostAttributes {
            title: row.get(2),
            body: row.get(3),
            pinned: row.get(4),
            created_at: row.get(5),
            updated_at: row.get(6),
        },
        relationships: PostRelationships {
            author: ToOne {
                links: RelationshipLinks {
                    to_self: format!("{base}/posts/{id}/relationships/author"),
                    related: format!("{base}/posts/{id}/author"),
                },
                data: Identifier {
                    kind: "users",
                    id: author.to_string(),
                },
            },
        },
        links: SelfLink {
            to_self: format!("{base}/posts/{id}"),
        },
        meta: ResourceMeta {
            version: row.get(7),
            page,
        },
    }
}

struct Floor {
    pool: PgPool,
    caller: i64,
    base: String,
    fixed: bool,
    users_include_posts: Page,
    posts_include_author: Page,
}

#[handler]
async fn users_include_posts(floor: Data<&Arc<Floor>>) -> Response {
    let page = &floor.users_include_posts;
    let (users, posts) = page
        .read(&floor.pool, floor.caller, |users| {
            users
                .iter()
                .take(PAGE_SIZE)
                .map(|user| user.get(0))
                .collect()
        })
        .await;
    page.answer(floor.fixed, || {
        let base = floor.base.as_str();
        let data = users
            .iter()
            .take(PAGE_SIZE)
            .map(|row| {
                let id: i64 = row.get(0);
                let theirs: Vec<&PgRow> =
                    posts.iter().filter(|p| p.get::<i64, _>(1) == id).collect();
                let total = theirs.first().map_or(0, |p| p.get(9));
                let linkage = theirs
                    .iter()
                    .map(|p| Identifier {
                        kind: "posts",
                        id: p.get::<i64, _>(0).to_string(),
                    })
                    .collect();
                let cursor = Cursor {
                    cursor: cursor([id]),
                };
                user(
                    base,
                    row,
                    posts_of(base, id, total, Some(linkage)),
                    Some(cursor),
                )
            })
            .collect();
        let included: Vec<Post> = posts.iter().map(|row| post(base, row, None)).collect();
        let total = users.first().map_or(0, |row| row.get(11));
        let next =
            (users.len() > PAGE_SIZE).then(|| cursor([users[PAGE_SIZE - 1].get::<i64, _>(0)]));
        document(
            base,
            "users?include=posts&page%5Bsize%5D=20",
            data,
            included,
            total,
            next,
        )
    })
}

#[handler]
async fn posts_include_author(floor: Data<&Arc<Floor>>) -> Response {
    let page = &floor.posts_include_author;
    let (posts, authors) = page
        .read(&floor.pool, floor.caller, |posts| {
            let mut ids: Vec<i64> = posts
                .iter()
                .take(PAGE_SIZE)
                .map(|post| post.get(1))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .await;
    page.answer(floor.fixed, || {
        let base = floor.base.as_str();
        let key = |row: &PgRow| {
            let (pinned, created, id): (bool, DateTime<Utc>, i64) =
                (row.get(4), row.get(5), row.get(0));
            cursor((pinned, created, id))
        };
        let data = posts
            .iter()
            .take(PAGE_SIZE)
            .map(|row| post(base, row, Some(Cursor { cursor: key(row) })))
            .collect();
        let included: Vec<User> = authors
            .iter()
            .map(|row| {
                let posts = posts_of(base, row.get(0), row.get(11), None);
                user(base, row, posts, None)
            })
            .collect();
        let total = posts.first().map_or(0, |row| row.get(8));
        let next = (posts.len() > PAGE_SIZE).then(|| key(&posts[PAGE_SIZE - 1]));
        document(
            base,
            "posts?include=author&page%5Bsize%5D=20",
            data,
            included,
            total,
            next,
        )
    })
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let size: u32 = env("DATABASE_POOL_SIZE", "8")
        .parse()
        .expect("DATABASE_POOL_SIZE");
    // As the service's pool under load: eight connections, none idle long
    // enough for its ping on acquire (30 s). Opening them all at once only
    // spares the first requests a connect. sqlx's ping on release cannot be
    // turned off.
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .min_connections(size)
        .test_before_acquire(false)
        .connect(&url)
        .await
        .expect("the database");
    let addr = env("LISTEN_ADDR", "127.0.0.1:18090");
    let scripts = env("FLOOR_SCRIPTS", "bench/pgbench");
    let floor = Arc::new(Floor {
        pool,
        caller: env("FLOOR_CALLER", "").parse().expect("FLOOR_CALLER"),
        base: format!("http://{addr}/api/v2"),
        fixed: env("FLOOR_BODY", "rendered") == "fixed",
        users_include_posts: Page::load(&scripts, "users_include_posts", ":page_users"),
        posts_include_author: Page::load(&scripts, "posts_include_author", ":page_authors"),
    });
    let app = Route::new()
        .at("/api/v2/users", get(users_include_posts))
        .at("/api/v2/posts", get(posts_include_author))
        .data(floor);
    Server::new(TcpListener::bind(addr))
        .run(app)
        .await
        .expect("the server");
}
