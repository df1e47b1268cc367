//! What both versions' users operations answer alike: the error statuses
//! each kind of operation may give, and a deletion.

use poem_openapi::ApiResponse;

use crate::jsonapi::error::error_statuses;

error_statuses!(ListErrors => [400, 401, 403, 406, 500, 503]);
error_statuses!(CreateErrors => [400, 401, 403, 406, 409, 413, 415, 422, 500, 503]);
error_statuses!(MeErrors => [400, 401, 406, 500, 503]);
error_statuses!(UpdateErrors => [400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 428, 500, 503]);
error_statuses!(DeleteErrors => [400, 401, 403, 404, 406, 412, 428, 500, 503]);

#[derive(ApiResponse)]
pub enum UserDeleted {
    /// Deleted; every token issued to the user has ended.
    #[oai(status = 204)]
    NoContent,
}
