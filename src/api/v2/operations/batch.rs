//! Running an atomic request's operations in order, each through the same
//! parser and the same domain function as the single-resource endpoint
//! that does the same thing, so that every rule and check applies as it
//! does there. The caller is checked at each operation, inside the
//! transaction, as each endpoint checks it: a batch that deletes its own
//! caller cannot go on writing in their name.

use serde_json::Value;

use super::{
    document::{AtomicOp, AtomicResourceType},
    local_ids::{LocalIds, Target},
    operation::{Operation, data_id},
};
use crate::{
    api::{
        conditional,
        posts::input::parse_changes as parse_post_changes,
        users::{parse_changes as parse_user_changes, schema::UserCreateDocument},
        v2::{
            posts_schema::{AuthorLinkageRequest, PostCreateDocument},
            resources::UsersWithPosts,
        },
    },
    db::Db,
    jsonapi::{error::ApiError, payload::RequestDocument},
    posts::{entity::Model as Post, service as posts},
    revision::Expected,
    state::AppState,
    users::{
        caller::{Bearer, Caller},
        entity::Model as User,
        service as users,
    },
};

/// What an operation did.
pub enum Outcome {
    User(User),
    Post(Post),
    Nothing,
}

/// The operations of one request, for one caller.
pub struct Batch<'a> {
    state: &'a AppState,
    bearer: Option<&'a Bearer>,
    operations: Vec<Value>,
    lids: LocalIds,
}

fn invalid(pointer: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid_document(pointer, detail)
}

impl<'a> Batch<'a> {
    /// A batch of `operations` for the bearer of the request's token, if
    /// it sent one; no more than the service runs in one transaction.
    pub fn new(
        state: &'a AppState,
        bearer: Option<&'a Bearer>,
        operations: Vec<Value>,
    ) -> Result<Self, ApiError> {
        let max = state.atomic_max_operations;
        if operations.len() > max {
            return Err(ApiError::TooManyOperations { max });
        }
        Ok(Self {
            state,
            bearer,
            operations,
            lids: LocalIds::default(),
        })
    }

    /// Applies each operation in order through `db`; the first that fails
    /// stops the batch, with its error moved under its position.
    pub async fn run(mut self, db: &impl Db) -> Result<Vec<Outcome>, ApiError> {
        let operations = std::mem::take(&mut self.operations);
        let mut outcomes = Vec::with_capacity(operations.len());
        for (index, operation) in operations.into_iter().enumerate() {
            let outcome =
                self.apply(db, operation)
                    .await
                    .map_err(|error| ApiError::InOperation {
                        index,
                        error: Box::new(error),
                    })?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn apply(&mut self, db: &impl Db, operation: Value) -> Result<Outcome, ApiError> {
        let Operation {
            op,
            target,
            data,
            meta,
        } = Operation::parse(operation)?;
        let target = target.map(|target| self.lids.target(target)).transpose()?;
        match (op, target) {
            (op, Some(target)) if target.relationship.is_some() => {
                self.relationship(db, op, target, data).await
            }
            (AtomicOp::Add, Some(_)) => Err(invalid(
                "/ref",
                "add takes a ref only to add to a relationship; the new resource goes in data",
            )),
            (AtomicOp::Add, None) => self.add(db, data, meta).await,
            (AtomicOp::Update, target) => self.update(db, target, data, meta).await,
            (AtomicOp::Remove, Some(target)) => self.remove(db, target).await,
            (AtomicOp::Remove, None) => Err(invalid("", "remove needs a ref naming the resource")),
        }
    }

    fn bearer(&self) -> Result<&'a Bearer, ApiError> {
        self.bearer.ok_or(ApiError::Unauthenticated)
    }

    /// The caller, as the token's user is now, in this transaction.
    async fn caller(&self, db: &impl Db) -> Result<Caller, ApiError> {
        Ok(self.bearer()?.caller(db).await?)
    }

    /// The caller if the request sent a token, which must still be good.
    async fn maybe_caller(&self, db: &impl Db) -> Result<Option<Caller>, ApiError> {
        match self.bearer {
            None => Ok(None),
            Some(bearer) => Ok(Some(bearer.caller(db).await?)),
        }
    }

    /// What a write of an existing resource expects of its version: any,
    /// since an operation has no `If-Match`, unless the service requires
    /// one (428).
    fn expected(&self) -> Result<Expected, ApiError> {
        conditional::expected(self.state, None)
    }

    async fn add(
        &mut self,
        db: &impl Db,
        data: Option<Value>,
        meta: Option<Value>,
    ) -> Result<Outcome, ApiError> {
        let mut data = data.ok_or_else(|| invalid("", "add needs data: the new resource"))?;
        let kind = AtomicResourceType::of(&data, "/data")?;
        let lid = self.lids.take_new(&mut data)?;
        self.lids.resolve_relationships(&mut data)?;
        let document = Operation::document(data, meta);
        let (id, outcome) = match kind {
            AtomicResourceType::Users => {
                let caller = self.maybe_caller(db).await?;
                let new = UserCreateDocument::parse(document)?;
                let user = users::register_for(self.state, db, caller.as_ref(), new).await?;
                (user.id, Outcome::User(user))
            }
            AtomicResourceType::Posts => {
                let caller = self.caller(db).await?;
                let new = PostCreateDocument::parse(document)?;
                let post = posts::create_for(db, &caller, new).await?;
                (post.id, Outcome::Post(post))
            }
        };
        if let Some(lid) = lid {
            self.lids.insert(lid, kind, id);
        }
        Ok(outcome)
    }

    async fn update(
        &self,
        db: &impl Db,
        target: Option<Target>,
        data: Option<Value>,
        meta: Option<Value>,
    ) -> Result<Outcome, ApiError> {
        let mut data = data.ok_or_else(|| invalid("", "update needs data: the changes"))?;
        self.lids.resolve(&mut data, "/data")?;
        self.lids.resolve_relationships(&mut data)?;
        let (kind, id) = match target {
            Some(target) => (target.kind, target.id),
            None => (AtomicResourceType::of(&data, "/data")?, data_id(&data)?),
        };
        let document = Operation::document(data, meta);
        match kind {
            AtomicResourceType::Users => {
                let bearer = self.bearer()?;
                let expected = self.expected()?;
                let changes = parse_user_changes::<UsersWithPosts>(document, id);
                let user = changes.apply(self.state, db, bearer, id, &expected).await?;
                Ok(Outcome::User(user))
            }
            AtomicResourceType::Posts => {
                let caller = self.caller(db).await?;
                let expected = self.expected()?;
                let changes = parse_post_changes(document, id)?;
                let post = posts::update_for(db, &caller, id, &expected, changes).await?;
                Ok(Outcome::Post(post))
            }
        }
    }

    async fn remove(&self, db: &impl Db, target: Target) -> Result<Outcome, ApiError> {
        let caller = self.caller(db).await?;
        let expected = self.expected()?;
        match target.kind {
            AtomicResourceType::Users => {
                users::delete_for(db, &caller, target.id, &expected).await?;
            }
            AtomicResourceType::Posts => {
                posts::delete_for(db, &caller, target.id, &expected).await?;
            }
        }
        Ok(Outcome::Nothing)
    }

    /// A change to a relationship: a post's author, by an admin, as its
    /// relationship endpoint does it; a user's posts never.
    async fn relationship(
        &self,
        db: &impl Db,
        op: AtomicOp,
        target: Target,
        data: Option<Value>,
    ) -> Result<Outcome, ApiError> {
        let caller = self.caller(db).await?;
        let name = target.relationship.as_deref().unwrap_or_default();
        match (target.kind, name, op) {
            (AtomicResourceType::Users, "posts", _) => {
                Err(posts::refuse_users_posts_change(db, target.id).await.into())
            }
            (AtomicResourceType::Posts, "author", AtomicOp::Update) => {
                let expected = self.expected()?;
                let mut document = serde_json::Map::new();
                if let Some(mut data) = data {
                    self.lids.resolve(&mut data, "/data")?;
                    document.insert("data".to_owned(), data);
                }
                let author = AuthorLinkageRequest::parse(Value::Object(document))?;
                posts::change_author_for(db, &caller, target.id, &expected, author).await?;
                Ok(Outcome::Nothing)
            }
            (AtomicResourceType::Posts, "author", _) => Err(invalid(
                "/op",
                "author is a to-one relationship: update it to name another user",
            )),
            // As its URL would be: a relationship the type does not have is
            // not found.
            (kind, name, _) => Err(ApiError::NotFound(format!(
                "{} have no relationship {name:?}",
                kind.name()
            ))),
        }
    }
}
