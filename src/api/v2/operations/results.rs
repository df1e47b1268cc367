//! The results of a batch as v2 renders each resource: a user whole (the
//! caller may change only themselves or, as an admin, anyone), with the
//! count of posts the batch left; a post as its endpoints show it.

use super::{
    batch::Outcome,
    document::{AtomicResult, AtomicResultsDocument},
};
use crate::{
    api::v2::{
        included::{IncludedResource, Viewer},
        posts_schema::PostResource,
    },
    db::Db,
    jsonapi::{document::JsonApiObject, error::ApiError, links::LinkBase},
    posts::listing::counts_by_authors,
    state::AppState,
    users::policy::Visibility,
};

/// The results document of `outcomes`, read through `db`, the batch's
/// transaction, so that counts include what the batch wrote.
pub async fn document(
    db: &impl Db,
    state: &AppState,
    base: &LinkBase,
    outcomes: Vec<Outcome>,
) -> Result<AtomicResultsDocument, ApiError> {
    let users: Vec<i64> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::User(user) => Some(user.id),
            _ => None,
        })
        .collect();
    let counts = counts_by_authors(db, &users).await?;
    let everything = |_| Visibility::Everything;
    let viewer = Viewer::of(state, base, &everything);
    let results = outcomes
        .into_iter()
        .map(|outcome| AtomicResult {
            data: match outcome {
                Outcome::User(user) => {
                    let posts = counts.get(&user.id).copied().unwrap_or_default();
                    Some(IncludedResource::User(viewer.user(user.into(), posts)))
                }
                Outcome::Post(post) => Some(IncludedResource::Post(PostResource::new(post, base))),
                Outcome::Nothing => None,
            },
        })
        .collect();
    Ok(AtomicResultsDocument {
        jsonapi: JsonApiObject::default(),
        results,
    })
}
