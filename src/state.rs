//! What every request handler shares.

use std::{sync::Arc, time::Duration};

use poem::Request;
use rand::RngCore;
use sea_orm::DatabaseConnection;

use crate::{
    auth::{password::Passwords, throttle::AddressThrottle, token::Tokens},
    config::Settings,
    idempotency::Running,
    jsonapi::error::ApiError,
    platform::public_url::PublicUrl,
};

/// The database, the token keys, the password hasher, the throttles and
/// where links point.
/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub tokens: Arc<Tokens>,
    pub passwords: Arc<Passwords>,
    pub address_throttle: Arc<AddressThrottle>,
    pub public_url: Arc<PublicUrl>,
    /// Whether writes must send `If-Match`.
    pub if_match_required: bool,
    /// How long the answer to an `Idempotency-Key` is kept.
    pub idempotency_key_ttl: Duration,
    /// The idempotency keys this process is answering now.
    pub running_keys: Arc<Running>,
    /// The most operations one atomic request may hold.
    pub atomic_max_operations: usize,
}

impl AppState {
    /// The state attached to every request, for extractors that need it.
    pub fn of(request: &Request) -> Result<&Self, ApiError> {
        request
            .data::<Self>()
            .ok_or_else(|| ApiError::internal("the app state is not attached to requests"))
    }

    pub fn new(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let secret = match &settings.jwt_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "JWT_SECRET is not set: using a random secret, so every token ends when the \
                     service restarts and instances cannot accept each other's tokens"
                );
                let mut secret = vec![0u8; 64];
                rand::rng().fill_bytes(&mut secret);
                secret
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            db,
            tokens: Arc::new(Tokens::new(&secret, settings.jwt_ttl_seconds)),
            passwords: Arc::new(Passwords::new(cores, settings.hasher_cgroup.as_deref())?),
            address_throttle: Arc::new(AddressThrottle::default()),
            public_url: Arc::new(PublicUrl::new(settings)),
            if_match_required: settings.if_match_required,
            idempotency_key_ttl: Duration::from_secs(settings.idempotency_key_ttl_seconds),
            running_keys: Arc::default(),
            atomic_max_operations: settings.atomic_max_operations,
        })
    }
}
