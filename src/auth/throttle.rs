//! Throttling of failed sign-ins: per email in the database, so every
//! instance sees the same count, and per client address in memory, as a
//! cheap first line against one address trying many emails.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use super::{
    error::AuthError,
    sign_in_failure::{self, Entity as SignInFailures},
};

/// Failures allowed before an email is blocked.
const FREE_FAILURES: i32 = 5;
const FIRST_BLOCK_SECONDS: u64 = 5;
const LONGEST_BLOCK_SECONDS: u64 = 15 * 60;

/// Failures from one address within [`ADDRESS_WINDOW`] before it is blocked.
const ADDRESS_FAILURE_LIMIT: usize = 50;
const ADDRESS_WINDOW: Duration = Duration::from_secs(60);
/// Beyond this many tracked addresses, stale ones are dropped at once.
const ADDRESS_TABLE_PRUNE_AT: usize = 10_000;

/// How long an email is blocked after `failures` consecutive failures: none
/// for the first few, then doubling from five seconds up to a quarter hour.
pub fn block_seconds(failures: i32) -> Option<u64> {
    let excess = failures.checked_sub(FREE_FAILURES)?;
    let excess = u32::try_from(excess).ok()?;
    Some(
        FIRST_BLOCK_SECONDS
            .saturating_mul(2u64.saturating_pow(excess))
            .min(LONGEST_BLOCK_SECONDS),
    )
}

/// Refuses an attempt for an email that is blocked.
pub async fn check_email(
    db: &impl ConnectionTrait,
    email_normalized: &str,
) -> Result<(), AuthError> {
    let Some(row) = SignInFailures::find_by_id(email_normalized.to_owned())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    match row.blocked_until {
        Some(until) if until > Utc::now() => Err(AuthError::TooManyAttempts {
            retry_after_seconds: seconds_until(until),
        }),
        _ => Ok(()),
    }
}

/// Counts one more failure for an email, blocking it once past the free ones.
pub async fn record_email_failure(
    db: &impl ConnectionTrait,
    email_normalized: &str,
) -> Result<(), AuthError> {
    let row = sign_in_failure::ActiveModel {
        email_normalized: sea_orm::Set(email_normalized.to_owned()),
        failures: sea_orm::Set(1),
        blocked_until: sea_orm::Set(None),
    };
    SignInFailures::insert(row)
        .on_conflict(
            OnConflict::column(sign_in_failure::Column::EmailNormalized)
                .value(
                    sign_in_failure::Column::Failures,
                    sea_orm::sea_query::ExprTrait::add(
                        Expr::col((SignInFailures, sign_in_failure::Column::Failures)),
                        1,
                    ),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let failures = SignInFailures::find_by_id(email_normalized.to_owned())
        .one(db)
        .await?
        .map_or(0, |row| row.failures);
    if let Some(seconds) = block_seconds(failures) {
        let until = Utc::now() + chrono::Duration::seconds(i64::try_from(seconds).unwrap_or(0));
        SignInFailures::update_many()
            .col_expr(sign_in_failure::Column::BlockedUntil, Expr::value(until))
            .filter(sign_in_failure::Column::EmailNormalized.eq(email_normalized))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets an email's failures after a successful sign-in.
pub async fn clear_email(
    db: &impl ConnectionTrait,
    email_normalized: &str,
) -> Result<(), AuthError> {
    SignInFailures::delete_by_id(email_normalized.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

fn seconds_until(until: chrono::DateTime<Utc>) -> u64 {
    let milliseconds = (until - Utc::now()).num_milliseconds().max(0);
    u64::try_from(milliseconds)
        .unwrap_or(0)
        .div_ceil(1000)
        .max(1)
}

/// Failed sign-ins per client address over the last minute.
#[derive(Default)]
pub struct AddressThrottle {
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl AddressThrottle {
    /// Refuses an attempt from an address over its limit.
    pub fn check(&self, address: IpAddr) -> Result<(), AuthError> {
        let now = Instant::now();
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(window) = failures.get_mut(&address) else {
            return Ok(());
        };
        forget_before(window, now);
        if window.len() < ADDRESS_FAILURE_LIMIT {
            return Ok(());
        }
        let oldest = window.front().copied().unwrap_or(now);
        let wait = ADDRESS_WINDOW.saturating_sub(now.duration_since(oldest));
        Err(AuthError::TooManyAttempts {
            retry_after_seconds: wait.as_secs().max(1),
        })
    }

    /// Counts a failed sign-in from an address.
    pub fn record_failure(&self, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() >= ADDRESS_TABLE_PRUNE_AT {
            failures.retain(|_, window| {
                forget_before(window, now);
                !window.is_empty()
            });
        }
        let window = failures.entry(address).or_default();
        forget_before(window, now);
        window.push_back(now);
    }
}

fn forget_before(window: &mut VecDeque<Instant>, now: Instant) {
    while window
        .front()
        .is_some_and(|&at| now.duration_since(at) >= ADDRESS_WINDOW)
    {
        window.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_five_failures_block_nothing_and_then_blocks_double() {
        assert_eq!(block_seconds(4), None);
        assert_eq!(block_seconds(5), Some(5));
        assert_eq!(block_seconds(6), Some(10));
        assert_eq!(block_seconds(7), Some(20));
    }

    #[test]
    fn a_block_never_exceeds_a_quarter_hour() {
        assert_eq!(block_seconds(40), Some(LONGEST_BLOCK_SECONDS));
        assert_eq!(block_seconds(i32::MAX), Some(LONGEST_BLOCK_SECONDS));
    }

    #[test]
    fn an_address_is_blocked_after_fifty_failures_in_a_minute() {
        let throttle = AddressThrottle::default();
        let address: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..ADDRESS_FAILURE_LIMIT - 1 {
            throttle.record_failure(address);
        }
        assert!(throttle.check(address).is_ok());
        throttle.record_failure(address);
        assert!(matches!(
            throttle.check(address),
            Err(AuthError::TooManyAttempts { retry_after_seconds }) if retry_after_seconds >= 1
        ));
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(throttle.check(other).is_ok());
    }
}
