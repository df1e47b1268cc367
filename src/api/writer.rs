//! Where a handler writes, as handlers take it.

use std::sync::Arc;

use poem::{FromRequest, Request, RequestBody};
use sea_orm::{DatabaseConnection, DatabaseExecutor, DatabaseTransaction};

use crate::state::AppState;

/// The transaction a layer opened for the request, so that the handler's
/// writes commit with whatever the layer records beside them (the answer
/// kept for an idempotency key), or else the pool.
#[derive(Clone)]
pub enum Writer {
    Pool(DatabaseConnection),
    Transaction(Arc<DatabaseTransaction>),
}

impl Writer {
    pub fn db(&self) -> DatabaseExecutor<'_> {
        match self {
            Self::Pool(pool) => DatabaseExecutor::Connection(pool),
            Self::Transaction(transaction) => DatabaseExecutor::Transaction(transaction),
        }
    }
}

impl<'a> FromRequest<'a> for Writer {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match request.extensions().get::<Self>() {
            Some(writer) => Ok(writer.clone()),
            None => Ok(Self::Pool(AppState::of(request)?.db.clone())),
        }
    }
}
