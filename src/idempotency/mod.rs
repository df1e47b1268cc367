//! Idempotency keys, as the IETF draft `Idempotency-Key` header and
//! Stripe's practice have them: the first answer to a key is kept with a
//! fingerprint of the request it answered, in the same transaction as that
//! request's writes, so a retry gets the answer back and never repeats the
//! write, whichever instance it reaches and however the first one ended.

mod entity;
mod running;
mod store;

pub use running::{Running, RunningKey};
pub use store::{Claim, Pending, claim, sweep};

use sha2::{Digest, Sha256};

/// What identifies a request for its key: a retry must send the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of a request made of `parts` (its method, target and
    /// body, say). Each part is length-prefixed, so that moving bytes from
    /// one part to the next changes it.
    pub fn of(parts: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        Self(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

/// An answer as kept for retries: the status, the headers a retry must see
/// again, and the body, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Why a key cannot be used for a request.
#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// The first request with the key is still running.
    #[error("a request with this Idempotency-Key is still being processed")]
    InFlight,
    /// The key was sent before with another request.
    #[error("this Idempotency-Key was used with a different request")]
    Reused,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_tells_where_parts_end() {
        assert_ne!(
            Fingerprint::of(&[b"POST", b"/users{}"]),
            Fingerprint::of(&[b"POST", b"/users", b"{}"])
        );
        assert_eq!(
            Fingerprint::of(&[b"POST", b"/users", b"{}"]),
            Fingerprint::of(&[b"POST", b"/users", b"{}"])
        );
        assert_eq!(Fingerprint::of(&[]).0.len(), 64);
    }
}
