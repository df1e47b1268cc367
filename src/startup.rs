//! Builds the whole application from its parts, binds it and serves it until
//! told to stop. Tests run exactly this, on port 0.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use migration::{Migrator, MigratorTrait};
use poem::{
    Endpoint, EndpointExt, Route, Server,
    listener::{Acceptor, TcpAcceptor},
    middleware::CatchPanic,
};
use sea_orm::DatabaseConnection;

use crate::{
    api,
    config::{Settings, redact_url},
    db,
    jsonapi::error::error_response,
    platform::{
        body_limit::read_body_within, cors::AllowedOrigins, header_deadline::HeadDeadlineAcceptor,
        in_flight::InFlightLimit, logging::log_request, panic::panic_response,
    },
    state::AppState,
};

/// How long in-flight requests may take to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
const SWEEP_AT_LEAST_EVERY: Duration = Duration::from_secs(3600);

/// A bound, migrated, ready-to-serve service.
pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    state: AppState,
    settings: Settings,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.validate()?;
        let db = db::connect(&settings).await?;
        Self::build_on(settings, db).await
    }

    /// Applies pending migrations on `db`, a connection to
    /// `settings.database_url` (one a caller has set up, say to count its
    /// statements), and binds.
    pub async fn build_on(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        settings.validate()?;
        Migrator::up(&db, None).await?;
        let state = AppState::new(&settings, db)?;
        let listener = tokio::net::TcpListener::bind(&settings.listen_addr).await?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        let local_addr = *acceptor
            .local_addr()
            .first()
            .and_then(|address| address.as_socket_addr())
            .ok_or_else(|| anyhow::anyhow!("the listener has no socket address"))?;
        tracing::info!(
            %local_addr,
            database = %redact_url(&settings.database_url),
            "users service ready"
        );
        Ok(Self {
            acceptor,
            local_addr,
            state,
            settings,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tokio::spawn(sweep_idempotency_keys(
            self.state.db.clone(),
            self.state.idempotency_key_ttl,
        ));
        let app = app(self.state, &self.settings);
        Server::new_with_acceptor(HeadDeadlineAcceptor(self.acceptor))
            .run_with_graceful_shutdown(app, shutdown_signal(), Some(SHUTDOWN_GRACE))
            .await
    }
}

/// The routes and the middleware around them.
pub fn app(state: AppState, settings: &Settings) -> impl Endpoint + 'static {
    let max_body_bytes = settings.max_body_bytes;
    // Twice the pool, and twice the hashers: enough that a connection or a
    // hasher coming free always finds a request ready for it.
    let in_flight = InFlightLimit::new(
        2 * db::pool_size(settings) as usize,
        2 * state.passwords.parallelism(),
        api::password_hashing_paths(),
    );
    Route::new()
        .at("/console/:file", crate::console::assets())
        .nest("/", api::routes(settings))
        .around(crate::console::page_at_root)
        // Inside the body limit, so that a client sending its body slowly
        // holds no place while it does.
        .with(in_flight)
        .before(move |request| read_body_within(request, max_body_bytes))
        .with(AllowedOrigins(Arc::new(
            settings.cors_allowed_origins.clone(),
        )))
        .with(CatchPanic::new().with_handler(panic_response))
        .data(state)
        .catch_all_error(|error| async move { error_response(error) })
        .around(log_request)
}

/// Deletes expired idempotency keys as long as the service runs, at least
/// hourly, and as often as a key lives when that is shorter. A key expired
/// but not yet swept is not honoured either: it starts afresh when sent.
async fn sweep_idempotency_keys(db: DatabaseConnection, ttl: Duration) {
    let mut ticks = tokio::time::interval(ttl.min(SWEEP_AT_LEAST_EVERY));
    loop {
        ticks.tick().await;
        match crate::idempotency::sweep(&db).await {
            Ok(0) => {}
            Ok(swept) => tracing::debug!(swept, "expired idempotency keys deleted"),
            Err(error) => tracing::warn!(%error, "could not sweep expired idempotency keys"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing in-flight requests");
}
