//! Compound documents: the resources `include` asks for, read in a fixed
//! number of statements whatever the page size, each shown once and as the
//! public-profile rule lets the caller see it.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use poem_openapi::Union;
use serde::Serialize;

use super::{
    posts_schema::{PostIdentifier, PostResource},
    schema::UserResource,
};
use crate::{
    jsonapi::{error::ApiError, links::LinkBase},
    posts::{entity::Model as Post, listing},
    state::AppState,
    users::{
        caller::Caller,
        policy::{self, Visibility},
        profile::Profile,
    },
};

/// How many of a user's posts a compound document includes: the newest.
pub const POSTS_PER_USER: u64 = 10;

/// A resource in a compound document's `included`.
#[derive(Union, Serialize, Debug, Clone)]
#[oai(rename = "IncludedResource", one_of)]
#[serde(untagged)]
pub enum IncludedResource {
    User(UserResource),
    Post(PostResource),
}

/// What a caller sees of users, and the links resources carry.
pub struct Viewer<'a> {
    pub state: &'a AppState,
    pub base: &'a LinkBase,
    pub today: NaiveDate,
    /// How much of user `id` the caller may see.
    pub visibility: &'a (dyn Fn(i64) -> Visibility + Sync),
}

impl<'a> Viewer<'a> {
    /// A viewer who sees each user as `visibility` says (for a caller,
    /// [`seen_by`]), as of today.
    pub fn of(
        state: &'a AppState,
        base: &'a LinkBase,
        visibility: &'a (dyn Fn(i64) -> Visibility + Sync),
    ) -> Self {
        Self {
            state,
            base,
            today: Utc::now().date_naive(),
            visibility,
        }
    }
}

/// How much of each user `caller` may see.
pub fn seen_by(caller: &Caller) -> impl Fn(i64) -> Visibility + Sync + '_ {
    |id| policy::visibility(caller, id)
}

impl Viewer<'_> {
    /// `users` as the caller may see each, with how many posts each has:
    /// one statement for the counts.
    pub async fn users(&self, users: Vec<Profile>) -> Result<Vec<UserResource>, ApiError> {
        let ids: Vec<i64> = users.iter().map(|user| user.id).collect();
        let counts = listing::counts_by_authors(&self.state.db, &ids).await?;
        Ok(users
            .into_iter()
            .map(|user| {
                let posts = counts.get(&user.id).copied().unwrap_or_default();
                self.user(user, posts)
            })
            .collect())
    }

    /// `user` as the caller may see them, who has written `posts` posts.
    pub fn user(&self, user: Profile, posts: u64) -> UserResource {
        let visibility = (self.visibility)(user.id);
        UserResource::new(user, visibility, self.today, self.base, posts)
    }

    /// The authors of `posts`, each once: one statement.
    pub async fn authors_of(&self, posts: &[Post]) -> Result<Vec<IncludedResource>, ApiError> {
        let ids: Vec<i64> = posts
            .iter()
            .map(|post| post.author_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let authors = listing::authors_with_counts(&self.state.db, &ids).await?;
        Ok(authors
            .into_iter()
            .map(|(author, posts)| IncludedResource::User(self.user(author, posts)))
            .collect())
    }

    /// The newest posts of each of `users`, linked from their `posts`
    /// relationship, which also takes its exact total from the same
    /// statement: one statement.
    pub async fn posts_of(
        &self,
        users: &mut [UserResource],
    ) -> Result<Vec<IncludedResource>, ApiError> {
        let ids: Vec<i64> = users
            .iter()
            .filter_map(|user| user.id.parse().ok())
            .collect();
        let (posts, totals) =
            listing::newest_by_authors(&self.state.db, &ids, POSTS_PER_USER).await?;
        let mut linkage: HashMap<i64, Vec<PostIdentifier>> = HashMap::new();
        for post in &posts {
            linkage
                .entry(post.author_id)
                .or_default()
                .push(PostIdentifier::new(post.id));
        }
        for user in users.iter_mut() {
            let id: i64 = user.id.parse().unwrap_or_default();
            let relationships = user.relationships.as_mut();
            if let Some(relationship) = relationships.and_then(|r| r.posts.as_mut()) {
                relationship.meta.total = totals.get(&id).copied().unwrap_or_default();
                relationship.data = Some(linkage.remove(&id).unwrap_or_default());
            }
        }
        Ok(posts
            .into_iter()
            .map(|post| IncludedResource::Post(PostResource::new(post, self.base)))
            .collect())
    }
}
