//! Who is calling, as the rules about users see it: the user a verified
//! token names, and that user once the token is known to be current.

use sea_orm::ConnectionTrait;

use super::{entity::Model as User, error::UserError, role::Role, store};
use crate::auth::token::Claims;

/// A caller with a valid, unrevoked bearer token.
pub struct Caller(pub User);

impl Caller {
    pub fn id(&self) -> i64 {
        self.0.id
    }

    pub fn is_admin(&self) -> bool {
        self.0.role == Role::Admin
    }
}

/// A bearer token with a valid signature and claims, not yet checked
/// against the user it names. A handler that reads users anyway takes this
/// and loads the caller in the same query, saving a round trip.
pub struct Bearer {
    user_id: i64,
    generation: i32,
}

impl Bearer {
    /// The bearer of a token whose signature and claims were verified.
    pub fn from_claims(claims: &Claims) -> Result<Self, UserError> {
        Ok(Self {
            user_id: claims.sub.parse().map_err(|_| UserError::InvalidToken)?,
            generation: claims.generation,
        })
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// The user the token names, for a statement that checks the token
    /// itself.
    pub fn requester(&self) -> store::Requester {
        store::Requester {
            id: self.user_id,
            token_generation: self.generation,
        }
    }

    /// The caller, given the row of the user the token names. The row both
    /// proves the user exists and checks revocation: a deleted user has no
    /// row, and a password change moved the generation on.
    pub fn admit(&self, user: Option<User>) -> Result<Caller, UserError> {
        user.filter(|user| user.id == self.user_id && user.token_generation == self.generation)
            .map(Caller)
            .ok_or(UserError::InvalidToken)
    }

    /// The caller, with the row of the user the token names read from `db`.
    pub async fn caller(&self, db: &impl ConnectionTrait) -> Result<Caller, UserError> {
        self.admit(store::find(db, self.user_id).await?)
    }
}
