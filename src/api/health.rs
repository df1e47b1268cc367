//! Liveness and readiness probes.

use std::time::Duration;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::{
    jsonapi::error::{ApiError, Failure, error_statuses},
    state::AppState,
};

/// How long readiness waits for the database before it says no.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

pub struct HealthApi;

/// The service's state.
#[derive(Object)]
#[oai(rename = "HealthStatus")]
struct HealthStatus {
    /// `ok`.
    status: String,
}

#[derive(ApiResponse)]
enum Healthy {
    /// The service is up.
    #[oai(status = 200)]
    Ok(Json<HealthStatus>),
}

error_statuses!(ReadinessErrors => [503]);

fn ok() -> Healthy {
    Healthy::Ok(Json(HealthStatus {
        status: "ok".to_owned(),
    }))
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness
    ///
    /// 200 while the process serves requests.
    #[oai(path = "/health/live", method = "get", operation_id = "getLiveness")]
    async fn live(&self) -> Healthy {
        ok()
    }

    /// Readiness
    ///
    /// 200 while the database answers; 503 while it does not.
    #[oai(path = "/health/ready", method = "get", operation_id = "getReadiness")]
    async fn ready(&self, state: Data<&AppState>) -> Result<Healthy, Failure<ReadinessErrors>> {
        match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
            Ok(Ok(())) => Ok(ok()),
            Ok(Err(error)) => Err(ApiError::ServiceUnavailable(error.to_string()).into()),
            Err(_) => Err(ApiError::ServiceUnavailable("ping timed out".to_owned()).into()),
        }
    }
}
