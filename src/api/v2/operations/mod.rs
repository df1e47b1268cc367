//! `POST /api/v2/operations`: JSON:API Atomic Operations. Several writes of
//! users and posts in one request and one transaction: all apply, in
//! order, or none does, and the error points at the operation that failed.

mod batch;
pub mod document;
mod local_ids;
mod operation;
mod results;

use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Header};

use self::{
    batch::Batch,
    document::{AtomicOperationsDocument, AtomicResultsDocument},
};
use super::{V2Tags, resources::UsersWithPosts};
use crate::{
    api::{caller::MaybeBearer, idempotency::idempotent, writer::Writer},
    db::begin_write,
    jsonapi::{
        error::{Failure, error_statuses},
        links::LinkBase,
        payload::{Atomic, JsonApi, JsonApiBody},
        resource::ServesResource,
    },
    state::AppState,
};

pub struct OperationsApi;

// Operations write both types; the declaration is asked only how to refuse
// `include`, which this endpoint does not take.
impl ServesResource for OperationsApi {
    type Resource = UsersWithPosts;
}

error_statuses!(OperationsErrors => [400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 428, 500, 503]);

#[derive(ApiResponse)]
enum OperationsApplied {
    /// Every operation applied: `atomic:results` holds what each did, in
    /// the order they were sent.
    #[oai(status = 200)]
    Ok(JsonApi<AtomicResultsDocument, Atomic>),
}

#[OpenApi(tag = "V2Tags::Operations")]
impl OperationsApi {
    /// Apply operations atomically
    ///
    /// Adds, updates and removes users and posts, and changes posts'
    /// authors, in order and in one transaction, by the rules of their own
    /// endpoints: if one operation is refused, none applies, and the error
    /// has that operation's status and points into it
    /// (`/atomic:operations/3/data/attributes/title`). A resource added with
    /// a `lid` can be named by that `lid` in later operations. Anyone may
    /// register users; everything else needs a token.
    #[oai(
        path = "/operations",
        method = "post",
        operation_id = "applyOperations",
        transform = "idempotent"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        writer: Writer,
        base: LinkBase,
        bearer: MaybeBearer,
        /// A key of your choosing, a UUID say, that makes a retry safe: a
        /// request sent again with the same key and body gets the first
        /// answer back, and nothing is written twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: JsonApiBody<AtomicOperationsDocument>,
    ) -> Result<OperationsApplied, Failure<OperationsErrors>> {
        let batch = Batch::new(&state, bearer.0.as_ref(), body.0)?;
        let transaction = begin_write(&writer.db()).await?;
        let applied = match batch.run(&transaction).await {
            Ok(outcomes) => results::document(&transaction, &state, &base, outcomes).await,
            Err(error) => Err(error),
        };
        match applied {
            Ok(document) => {
                transaction.commit().await?;
                Ok(OperationsApplied::Ok(JsonApi::in_extension(document)))
            }
            Err(error) => {
                transaction.rollback().await?;
                Err(error.into())
            }
        }
    }
}
