//! Password hashing with argon2id, off the async runtime and with bounded
//! parallelism, so that a flood of sign-ins cannot stall other requests.

use std::{fmt, sync::Arc};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// OWASP's argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// A password as the client sent it. Its Debug output is redacted.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(text: String) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The stored hash uses weaker parameters than we use now.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords on the blocking pool, a few at a time.
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that an unknown email
    /// takes as long as a wrong password.
    dummy_hash: String,
}

impl Passwords {
    /// At most `parallelism` hashes run at once.
    pub fn new(parallelism: usize) -> anyhow::Result<Self> {
        let dummy_hash = hash_now(&uuid::Uuid::new_v4().to_string())?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            dummy_hash,
        })
    }

    /// A fresh argon2id PHC string for `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, ApiError> {
        let password = password.clone();
        self.run(move || hash_now(password.expose()).map_err(ApiError::internal))
            .await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when there
    /// is no user, so both cases take the same time and both fail.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verification, ApiError> {
        let known_user = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.clone();
        let verification = self
            .run(move || verify_now(password.expose(), &stored))
            .await?;
        Ok(Verification {
            matches: verification.matches && known_user,
            ..verification
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(ApiError::internal)
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .expect("the OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("argon2 hashing failed: {error}"))
}

fn verify_now(password: &str, stored: &str) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored password hash is not a PHC string");
        return Verification {
            matches: false,
            needs_rehash: false,
        };
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Verification {
        matches,
        needs_rehash: is_weaker_than_current(&parsed),
    }
}

fn is_weaker_than_current(hash: &PasswordHash<'_>) -> bool {
    if hash.algorithm != Algorithm::Argon2id.ident() {
        return true;
    }
    match Params::try_from(hash) {
        Ok(params) => {
            params.m_cost() < MEMORY_KIB || params.t_cost() < ITERATIONS || params.p_cost() < LANES
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weak_hash(password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
    }

    #[test]
    fn a_hash_is_an_argon2id_phc_string_at_owasp_parameters() {
        let hash = hash_now("correct horse battery staple").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[test]
    fn the_right_password_matches_and_a_wrong_one_does_not() {
        let hash = hash_now("correct horse battery staple").unwrap();
        assert!(verify_now("correct horse battery staple", &hash).matches);
        assert!(!verify_now("correct horse battery stapler", &hash).matches);
    }

    #[test]
    fn weaker_stored_parameters_ask_for_a_rehash() {
        let weak = weak_hash("correct horse battery staple");
        let verification = verify_now("correct horse battery staple", &weak);
        assert!(verification.matches && verification.needs_rehash);
        let current = hash_now("correct horse battery staple").unwrap();
        assert!(!verify_now("correct horse battery staple", &current).needs_rehash);
    }

    #[tokio::test]
    async fn an_unknown_user_never_matches_even_the_dummy_password() {
        let passwords = Passwords::new(1).unwrap();
        let verification = passwords
            .verify(&Password::new("anything at all, really".into()), None)
            .await
            .unwrap();
        assert!(!verification.matches);
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let shown = format!("{:?}", Password::new("hunter2hunter2hunter2".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
