//! Bounds on how many requests are handled at once. Past a bound, requests
//! wait in arrival order before any of their handling is built, so a burst
//! of connections costs each one its buffers rather than a whole request's
//! working memory. The database pool and the password hashers would make
//! the extra requests wait anyway, so the bounds cost no throughput.
//!
//! Requests that hash a password (sign-in and registration) take hundreds
//! of milliseconds in a flood; they have a bound of their own, so that
//! everything else never queues behind them.

use std::{sync::Arc, time::Duration};

use poem::{Endpoint, Middleware, Request, Result, http::Method};
use tokio::sync::Semaphore;

use crate::jsonapi::error::ApiError;

/// How long a request may wait for its turn before it is answered 503: long
/// enough for any queue a working database leaves, short enough that
/// clients are told rather than left hanging when it is gone.
const LONGEST_WAIT: Duration = Duration::from_secs(10);
/// The same for requests that hash a password: a burst of registrations
/// waits its turn at the hashers, a couple of hundred per core a minute.
const LONGEST_PASSWORD_HASHING_WAIT: Duration = Duration::from_secs(60);

/// Lets at most so many requests of each kind through at a time.
pub struct InFlightLimit(Arc<Bounds>);

struct Bounds {
    general: Bound,
    password_hashing: Bound,
    /// The paths where a POST hashes a password, as the versions mount them.
    password_hashing_paths: Vec<String>,
}

/// Places for one kind of request, and how long one waits for a place.
struct Bound {
    places: Semaphore,
    longest_wait: Duration,
}

impl Bound {
    fn new(places: usize, longest_wait: Duration) -> Self {
        Self {
            places: Semaphore::new(places.max(1)),
            longest_wait,
        }
    }
}

impl InFlightLimit {
    /// `general` requests at once, and `password_hashing` of those that
    /// hash a password: POSTs to `password_hashing_paths`.
    pub fn new(
        general: usize,
        password_hashing: usize,
        password_hashing_paths: Vec<String>,
    ) -> Self {
        Self::with(
            Bound::new(general, LONGEST_WAIT),
            Bound::new(password_hashing, LONGEST_PASSWORD_HASHING_WAIT),
            password_hashing_paths,
        )
    }

    fn with(general: Bound, password_hashing: Bound, password_hashing_paths: Vec<String>) -> Self {
        Self(Arc::new(Bounds {
            general,
            password_hashing,
            password_hashing_paths,
        }))
    }
}

impl<E: Endpoint> Middleware<E> for InFlightLimit {
    type Output = InFlightLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        InFlightLimitEndpoint {
            inner,
            bounds: self.0.clone(),
        }
    }
}

pub struct InFlightLimitEndpoint<E> {
    inner: E,
    bounds: Arc<Bounds>,
}

impl Bounds {
    /// Signing in and registering; a password change is rare enough to
    /// count as any other request.
    fn hashes_a_password(&self, request: &Request) -> bool {
        request.method() == Method::POST
            && self
                .password_hashing_paths
                .iter()
                .any(|path| path == request.uri().path())
    }
}

impl<E: Endpoint> Endpoint for InFlightLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, request: Request) -> Result<Self::Output> {
        let bound = if self.bounds.hashes_a_password(&request) {
            &self.bounds.password_hashing
        } else {
            &self.bounds.general
        };
        let _permit = tokio::time::timeout(bound.longest_wait, bound.places.acquire())
            .await
            .map_err(|_| ApiError::AtCapacity)?
            .map_err(|_| ApiError::internal("the request limit was closed"))?;
        // Boxed so that a waiting request holds a pointer, not the space
        // its handling will need.
        Box::pin(self.inner.call(request)).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use poem::{EndpointExt, endpoint::make, http::StatusCode, test::TestClient};

    use super::*;

    const SIGN_IN: &str = "/sign-in";

    /// An endpoint that takes `pause` and records the most calls it had
    /// running at once.
    fn counting(pause: Duration) -> (impl Endpoint, Arc<AtomicUsize>) {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let endpoint = {
            let most = most.clone();
            make(move |_| {
                let (running, most) = (running.clone(), most.clone());
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(pause).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    "done"
                }
            })
        };
        (endpoint, most)
    }

    #[tokio::test]
    async fn no_more_than_the_limit_run_at_once_and_every_request_is_answered() {
        let (endpoint, most) = counting(Duration::from_millis(20));
        let client = Arc::new(TestClient::new(endpoint.with(InFlightLimit::new(
            3,
            1,
            Vec::new(),
        ))));

        let requests: Vec<_> = (0..12)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.get("/").send().await.0.status() })
            })
            .collect();
        for request in requests {
            assert_eq!(request.await.unwrap(), StatusCode::OK);
        }

        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn sign_ins_have_a_bound_of_their_own_and_never_hold_up_other_requests() {
        // Sign-ins run until released; anything else answers at once.
        let signing_in = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        let endpoint = {
            let (signing_in, release) = (signing_in.clone(), release.clone());
            make(move |request: Request| {
                let (signing_in, release) = (signing_in.clone(), release.clone());
                async move {
                    if request.uri().path() == SIGN_IN {
                        signing_in.fetch_add(1, Ordering::SeqCst);
                        release.acquire().await.unwrap().forget();
                    }
                    "done"
                }
            })
        };
        let limit = InFlightLimit::new(8, 2, vec![SIGN_IN.to_owned()]);
        let client = Arc::new(TestClient::new(endpoint.with(limit)));
        let sign_ins: Vec<_> = (0..6)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.post(SIGN_IN).send().await.0.status() })
            })
            .collect();
        while signing_in.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }

        let read = tokio::time::timeout(Duration::from_secs(10), client.get("/me").send())
            .await
            .expect("a read waited behind sign-ins");

        read.assert_status_is_ok();
        assert_eq!(signing_in.load(Ordering::SeqCst), 2);
        release.add_permits(6);
        for sign_in in sign_ins {
            assert_eq!(sign_in.await.unwrap(), StatusCode::OK);
        }
        assert_eq!(signing_in.load(Ordering::SeqCst), 6);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_a_503_with_retry_after() {
        let endpoint = make(|_| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "slow"
        })
        .with(InFlightLimit::with(
            Bound::new(1, Duration::from_millis(50)),
            Bound::new(1, LONGEST_PASSWORD_HASHING_WAIT),
            Vec::new(),
        ))
        .catch_all_error(|error| async move { crate::jsonapi::error::error_response(error) });
        let client = Arc::new(TestClient::new(endpoint));
        let first = {
            let client = client.clone();
            tokio::spawn(async move { client.get("/").send().await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;

        let response = client.get("/").send().await;

        response.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        response.assert_header_exist("retry-after");
        let body = response.json().await;
        body.value()
            .object()
            .get("errors")
            .array()
            .get(0)
            .object()
            .get("code")
            .assert_string("at_capacity");
        first.abort();
    }
}
