//! The plans PostgreSQL makes for every collection statement the service builds, over enough
//! rows that the planner weighs its indexes against reading a table whole: none may read
//! `users` or `posts` by a sequential scan, but for the one exception below. The statements
//! come from the service's own builders, and the sorts and filters from the resources'
//! declarations, so that one added later is checked too (a filter this file has no value for
//! fails the test).
//!
//! The exception: counting the matches of a substring search that matches nearly every row,
//! or that is too short for a trigram, tests every row, and a scan does that cheapest. Totals
//! and v1's pages, which carry their total, may scan under those searches alone; every page
//! of v2, whatever it searches, may not.

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait, Iterable, QueryOrder,
    QuerySelect, QueryTrait, Statement, sea_query::SelectStatement, sqlx::Row,
};
use serde_json::Value;
use users_service::{
    api::{posts::resource::Posts, users::resource::Users, v2::included::POSTS_PER_USER},
    collection::{
        Page, SortKey,
        keyset::{KeyField, Keyset, Seek},
    },
    db::with_inline_limit,
    jsonapi::resource::ResourceType,
    posts::{
        self,
        entity::{Column as PostColumn, Entity as PostsTable},
        listing::{PostListing, authors_statement, counts_select, newest_statement},
    },
    users::{
        caller::Caller,
        entity::{Column as UserColumn, Entity as UsersTable, Model as User},
        listing::{Filters, KeysetListing, Listing, SortField, total_statement},
        policy,
        profile::Profile,
        role::Role,
        store::{self, Requester},
    },
};

use crate::database::{Backend, backend, fresh_database};

/// Twice the users bench/run seeds: at this size PostgreSQL prefers a scan
/// wherever no index serves a statement.
const USERS: u32 = 20_000;
const POSTS_PER_USER_SEEDED: u32 = 2;
/// A seeded user: `filter[email]` asks for them, `filter[author]` for their
/// posts, and the included statements for pages of users from theirs on.
const EXAMPLE_EMAIL: &str = "seed10000@plans.example";
/// What the substring filters search for, and why counting its matches may
/// read the whole table: a part of a dozen seeded names (and of their
/// posts' titles), as a search usually is; a part of every name, email and
/// title; and a part too short to hold a trigram.
const SEARCHES: [(&str, Option<&str>); 3] = [
    ("User 1234", None),
    (
        "seed",
        Some("it matches every row, and counting reads them all, which a scan does cheapest"),
    ),
    (
        "12",
        Some(
            "two characters hold no trigram: counting, or an offset past the matches, tests every row",
        ),
    ),
];

/// Seeded as bench/run seeds, by SQL, but each user a minute apart so that
/// sorting by time is not sorting by id; each user's posts a day apart,
/// every hundredth user's newest pinned.
fn seeding() -> [String; 3] {
    let users = "INSERT INTO users (name, email, email_normalized, password_hash, role, \
                 token_generation, created_at, updated_at)";
    [
        format!(
            "{users} SELECT 'Seed User ' || n, 'seed' || n || '@plans.example', \
             'seed' || n || '@plans.example', 'no password', 'user', 0, \
             now() - n * interval '1 minute', now() - n * interval '1 minute' \
             FROM generate_series(1, {USERS}) AS n"
        ),
        format!(
            "{users} VALUES ('Plan Admin', 'admin@plans.example', 'admin@plans.example', \
             'no password', 'admin', 0, now(), now())"
        ),
        format!(
            "INSERT INTO posts (author_id, title, body, pinned, created_at, updated_at) \
             SELECT users.id, 'Post ' || k || ' by ' || users.name, \
             repeat('A post of the benchmark. ', 10), k = 1 AND users.id % 100 = 0, \
             now() - k * interval '1 day' - users.id * interval '1 second', \
             now() - k * interval '1 day' - users.id * interval '1 second' \
             FROM users, generate_series(1, {POSTS_PER_USER_SEEDED}) AS k"
        ),
    ]
}

async fn seed(db: &DatabaseConnection) {
    for statement in seeding() {
        db.execute_unprepared(&statement)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    // As bench/run settles its tables: statistics for the planner, and the
    // visibility map that lets a count read an index alone.
    for table in ["users", "posts"] {
        db.execute_unprepared(&format!("VACUUM ANALYZE {table}"))
            .await
            .expect("the tables can be vacuumed");
    }
}

async fn seeded(db: &DatabaseConnection, email: &str) -> User {
    store::find_by_email(db, email)
        .await
        .expect("a read")
        .unwrap_or_else(|| panic!("{email} is seeded"))
}

/// The row half-way through the order `column` leads, of a table of `rows`:
/// a cursor to it reads from the middle of the collection.
async fn middle<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    id: E::Column,
    rows: u32,
) -> E::Model {
    E::find()
        .order_by_asc(column)
        .order_by_asc(id)
        .offset(u64::from(rows / 2))
        .one(db)
        .await
        .expect("a read")
        .expect("the table is seeded")
}

/// A statement the service builds, when it builds it, and why it may read
/// a whole table, if it may.
struct Checked {
    name: String,
    statement: Statement,
    may_scan: Option<&'static str>,
}

impl Checked {
    fn new(name: String, statement: Statement) -> Self {
        Self {
            name,
            statement,
            may_scan: None,
        }
    }

    /// `statement` as the service sends it: a page's LIMIT in the SQL.
    fn of(name: String, statement: &SelectStatement) -> Self {
        Self::new(name, with_inline_limit(statement, DbBackend::Postgres))
    }

    /// A statement that counts the matches of a filter, which may scan
    /// for the reason counting under that filter does, if it has one.
    fn counting(name: String, statement: &SelectStatement, may_scan: Option<&'static str>) -> Self {
        Self {
            may_scan,
            ..Self::of(name, statement)
        }
    }
}

/// A filter a listing is checked under, and why counting its matches reads
/// a whole table, if it must.
struct Filtered<F> {
    name: String,
    filters: F,
    counting_scans: Option<&'static str>,
}

impl<F> Filtered<F> {
    fn new(name: &str, filters: F) -> Self {
        Self {
            name: name.to_owned(),
            filters,
            counting_scans: None,
        }
    }
}

/// No sort (the resource's default order), then each declared field
/// ascending and descending.
fn sorts<F: Copy>(
    declared: &[&str],
    parse: fn(&str) -> Option<F>,
) -> Vec<(String, Vec<SortKey<F>>)> {
    let mut sorts = vec![("default order".to_owned(), Vec::new())];
    for name in declared {
        let field = parse(name).unwrap_or_else(|| panic!("sort {name} is declared, not parsed"));
        for descending in [false, true] {
            let sign = if descending { "-" } else { "" };
            sorts.push((
                format!("sort={sign}{name}"),
                vec![SortKey { field, descending }],
            ));
        }
    }
    sorts
}

/// The first page, and the pages after and before `middle` in `keyset`'s
/// order, as cursors to it ask for.
fn seeks<F: KeyField>(keyset: &Keyset<F>, middle: &F::Item) -> [(&'static str, Seek); 3] {
    let keys = keyset.keys_of(middle);
    [
        ("first page", Seek::First),
        ("page after a cursor", Seek::After(keys.clone())),
        ("page before a cursor", Seek::Before(keys)),
    ]
}

/// No filter, then each of a resource's `declared` filters alone, under
/// every value `values` gives for it.
fn each_filter<F: Default>(
    declared: &[&str],
    values: impl Fn(&str) -> Vec<Filtered<F>>,
) -> Vec<Filtered<F>> {
    let mut filters = vec![Filtered::new("no filter", F::default())];
    for name in declared {
        filters.extend(values(name).into_iter().map(|value| Filtered {
            name: format!("filter[{name}]={}", value.name),
            ..value
        }));
    }
    filters
}

/// A substring filter under each of the searches.
fn searches<F>(filters: impl Fn(String) -> F) -> Vec<Filtered<F>> {
    SEARCHES
        .iter()
        .map(|&(search, counting_scans)| Filtered {
            counting_scans,
            ..Filtered::new(search, filters(search.to_owned()))
        })
        .collect()
}

/// Each declared filter of users, with every role and every search.
fn user_filters() -> Vec<Filtered<Filters>> {
    each_filter(Users::FILTERABLE, |name| match name {
        "email" => vec![Filtered::new(
            EXAMPLE_EMAIL,
            Filters {
                email: Some(EXAMPLE_EMAIL.to_owned()),
                ..Filters::default()
            },
        )],
        "role" => Role::iter()
            .map(|role| {
                let filters = Filters {
                    role: Some(role),
                    ..Filters::default()
                };
                Filtered::new(role.as_str(), filters)
            })
            .collect(),
        "name" => searches(|name| Filters {
            name: Some(name),
            ..Filters::default()
        }),
        "q" => searches(|q| Filters {
            q: Some(q),
            ..Filters::default()
        }),
        other => panic!("filter[{other}] on users needs a value here for its plans"),
    })
}

/// Each declared filter of posts, with both values of `pinned` and every
/// search; `filter[author]` is also what `/users/{id}/posts` reads.
fn post_filters(author: i64) -> Vec<Filtered<posts::listing::Filters>> {
    use posts::listing::Filters;
    each_filter(Posts::FILTERABLE, |name| match name {
        "author" => vec![Filtered::new(
            &author.to_string(),
            Filters {
                author: Some(author),
                ..Filters::default()
            },
        )],
        "pinned" => [true, false]
            .map(|pinned| {
                let filters = Filters {
                    pinned: Some(pinned),
                    ..Filters::default()
                };
                Filtered::new(&pinned.to_string(), filters)
            })
            .into(),
        "q" => searches(|q| Filters {
            q: Some(q),
            ..Filters::default()
        }),
        other => panic!("filter[{other}] on posts needs a value here for its plans"),
    })
}

/// The users statements: v1's offset pages for an admin (the first and one
/// half-way), v2's keyset pages for an admin and for a user (whom the
/// policy keeps to public sorts, and to names in `filter[q]`), and their
/// totals.
async fn user_statements(db: &DatabaseConnection, admin: &Caller, user: &Caller) -> Vec<Checked> {
    let mut checked = Vec::new();
    let requester = Requester {
        id: admin.id(),
        token_generation: admin.0.token_generation,
    };
    let middle_page = u64::from(USERS) / 2 / Page::DEFAULT_SIZE;
    for (sort_name, sort) in sorts(Users::SORTABLE, SortField::parse) {
        for number in [1, middle_page] {
            for filter in user_filters() {
                let listing = Listing {
                    filters: filter.filters,
                    sort: sort.clone(),
                    page: Page::new(Some(number), None).expect("a page"),
                };
                // The page carries its total.
                checked.push(Checked::counting(
                    format!(
                        "v1 users, admin, {sort_name}, {}, page {number}",
                        filter.name
                    ),
                    &listing.page_statement(requester, DbBackend::Postgres),
                    filter.counting_scans,
                ));
            }
        }
        let first = Keyset {
            sort: sort.clone(),
            size: Page::DEFAULT_SIZE,
            seek: Seek::First,
        };
        let lead = first.full_order()[0].field;
        let middle =
            Profile::from(middle::<UsersTable>(db, lead.column(), UserColumn::Id, USERS).await);
        for (caller_name, caller) in [("admin", admin), ("user", user)] {
            for (seek_name, seek) in seeks(&first, &middle) {
                for mut filter in user_filters() {
                    if policy::ensure_may_list_by(caller, &mut filter.filters, &sort).is_err() {
                        continue;
                    }
                    let listing = KeysetListing {
                        filters: filter.filters,
                        keyset: Keyset {
                            seek: seek.clone(),
                            ..first.clone()
                        },
                    };
                    checked.push(Checked::of(
                        format!(
                            "v2 users, {caller_name}, {sort_name}, {}, {seek_name}",
                            filter.name
                        ),
                        &listing.statement().expect("a position in this order"),
                    ));
                }
            }
        }
    }
    for (caller_name, caller) in [("admin", admin), ("user", user)] {
        for mut filter in user_filters() {
            if policy::ensure_may_list_by(caller, &mut filter.filters, &[]).is_ok() {
                checked.push(Checked::counting(
                    format!("users total, {caller_name}, {}", filter.name),
                    &total_statement(&filter.filters, DbBackend::Postgres),
                    filter.counting_scans,
                ));
            }
        }
    }
    checked
}

/// The posts statements: keyset pages in every sort under every filter,
/// from the start and from a cursor, and their totals.
async fn post_statements(db: &DatabaseConnection, author: i64) -> Vec<Checked> {
    let mut checked = Vec::new();
    for (sort_name, sort) in sorts(Posts::SORTABLE, posts::listing::SortField::parse) {
        let first = PostListing::new(
            posts::listing::Filters::default(),
            Keyset {
                sort,
                size: Page::DEFAULT_SIZE,
                seek: Seek::First,
            },
        )
        .keyset;
        let lead = first.full_order()[0].field;
        let posts = USERS * POSTS_PER_USER_SEEDED;
        let middle = middle::<PostsTable>(db, lead.column(), PostColumn::Id, posts).await;
        for (seek_name, seek) in seeks(&first, &middle) {
            for filter in post_filters(author) {
                let listing = PostListing::new(
                    filter.filters,
                    Keyset {
                        seek: seek.clone(),
                        ..first.clone()
                    },
                );
                let select = listing.select().expect("a position in this order");
                checked.push(Checked::of(
                    format!("v2 posts, {sort_name}, {}, {seek_name}", filter.name),
                    &select.into_query(),
                ));
            }
        }
    }
    for filter in post_filters(author) {
        let listing = PostListing::new(
            filter.filters,
            Keyset {
                sort: Vec::new(),
                size: Page::DEFAULT_SIZE,
                seek: Seek::First,
            },
        );
        checked.push(Checked::counting(
            format!("posts total, {}", filter.name),
            &listing.count(DbBackend::Postgres),
            filter.counting_scans,
        ));
    }
    checked
}

/// What `include` and the users' post counts read for a page of the
/// default size and of the largest: the newest posts of each user on a page
/// of users, how many posts each has, and the authors of a page of posts.
fn included_statements(first_id: i64) -> Vec<Checked> {
    let mut checked = Vec::new();
    for size in [Page::DEFAULT_SIZE, Page::MAX_SIZE] {
        let page: Vec<i64> = (first_id..).take(size as usize).collect();
        checked.push(Checked::of(
            format!("newest posts of a page of {size} users"),
            &newest_statement(&page, POSTS_PER_USER),
        ));
        checked.push(Checked::new(
            format!("post counts of a page of {size} users"),
            counts_select(&page).build(DbBackend::Postgres),
        ));
        checked.push(Checked::of(
            format!("authors of a page of {size} posts, with their post counts"),
            &authors_statement(&page),
        ));
    }
    checked
}

/// The plan PostgreSQL makes for `statement`, its values bound as the
/// service binds them.
async fn plan_of(db: &DatabaseConnection, statement: &Statement) -> Value {
    let explain = Statement {
        sql: format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
        ..statement.clone()
    };
    let row = db
        .query_one_raw(explain)
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", statement.sql))
        .expect("EXPLAIN answers a row");
    let row = row.try_as_pg_row().expect("a PostgreSQL row");
    // A `json` column, which SeaORM decodes only with its with-json
    // feature; PostgreSQL sends one as its text.
    let text: &str = row.try_get_unchecked(0).expect("the plan as text");
    serde_json::from_str(text).expect("the plan is JSON")
}

/// The tables `node` and the nodes under it read by a sequential scan.
fn sequential_scans(node: &Value, found: &mut Vec<String>) {
    if node["Node Type"] == "Seq Scan" {
        found.push(node["Relation Name"].as_str().unwrap_or("?").to_owned());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        sequential_scans(child, found);
    }
}

#[tokio::test]
async fn postgres_reads_every_collection_statement_through_indexes() {
    let running = backend();
    if running != Backend::Postgres {
        eprintln!("query plans: PostgreSQL's alone are checked; skipped on {running:?}");
        return;
    }
    let database = fresh_database().await;
    let db = Database::connect(database.url())
        .await
        .expect("the test connects to its database");
    Migrator::up(&db, None).await.expect("the migrations apply");
    seed(&db).await;
    let admin = Caller(seeded(&db, "admin@plans.example").await);
    let user = Caller(seeded(&db, "seed1@plans.example").await);
    let example = seeded(&db, EXAMPLE_EMAIL).await.id;

    let statements: Vec<Checked> = [
        user_statements(&db, &admin, &user).await,
        post_statements(&db, example).await,
        included_statements(example),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut failures = Vec::new();
    let mut excepted = Vec::new();
    for checked in &statements {
        let plan = plan_of(&db, &checked.statement).await;
        let mut scanned = Vec::new();
        for statement_plan in plan.as_array().into_iter().flatten() {
            sequential_scans(&statement_plan["Plan"], &mut scanned);
        }
        scanned.retain(|table| table == "users" || table == "posts");
        if scanned.is_empty() {
            continue;
        }
        let scan = format!("{}: Seq Scan on {}", checked.name, scanned.join(", "));
        match checked.may_scan {
            Some(reason) => excepted.push(format!("{scan} ({reason})")),
            None => failures.push(format!("{scan}\n  {}", checked.statement.sql)),
        }
    }

    assert!(
        failures.is_empty(),
        "{} of {} statements read users or posts whole:\n{}",
        failures.len(),
        statements.len(),
        failures.join("\n")
    );
    eprintln!(
        "query plans: {} statements, none reading users or posts whole but {} counting \
         under a search that must:\n{}",
        statements.len(),
        excepted.len(),
        excepted.join("\n")
    );
}
