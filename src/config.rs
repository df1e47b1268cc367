//! Settings read from the environment, one variable per concern.

use std::{fmt, path::PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};

/// The shortest `JWT_SECRET` accepted: HS256 wants at least as many bytes of
/// key as the hash has (RFC 7518, section 3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

const DEFAULT_DATABASE_URL: &str = "sqlite://users.sqlite?mode=rwc";
const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:8080";
const DEFAULT_JWT_TTL_SECONDS: u64 = 3600;
const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
const DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS: u64 = 24 * 3600;
/// As many operations as a page holds items: a batch holds the write lock
/// (SQLite's, or its rows' elsewhere) for as long as it runs.
const DEFAULT_ATOMIC_MAX_OPERATIONS: usize = 100;

/// Everything the service can be told from outside.
#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen_addr: String,
    /// `None` means: generate a random secret at start-up.
    pub jwt_secret: Option<String>,
    pub jwt_ttl_seconds: u64,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// `None` means: size the pool for the machine.
    pub database_pool_size: Option<u32>,
    /// A CPU cgroup (ideally with `cpu.idle = 1`) for the password hashers.
    pub hasher_cgroup: Option<PathBuf>,
    /// The URL clients reach the service at, without a trailing slash;
    /// `None` means: build links from each request's scheme and `Host`.
    pub public_url: Option<String>,
    /// Whether a proxy in front is trusted to say, in `Forwarded` or
    /// `X-Forwarded-Proto`/`X-Forwarded-Host`, where clients reached it.
    pub trust_forwarded_headers: bool,
    /// Whether PATCH and DELETE must name the version they change with
    /// `If-Match` (428 without it).
    pub if_match_required: bool,
    /// How long the answer to an `Idempotency-Key` is kept for retries.
    pub idempotency_key_ttl_seconds: u64,
    /// The most operations one atomic request may hold.
    pub atomic_max_operations: usize,
    /// When version 1 is deprecated and when it goes away, if ever.
    pub api_v1_lifecycle: Lifecycle,
    /// The same for version 2.
    pub api_v2_lifecycle: Lifecycle,
}

/// A version's deprecation and sunset, as `API_V1_DEPRECATED_AT` and
/// `API_V1_SUNSET_AT` (or v2's) give them: RFC 3339 times, or dates
/// (midnight UTC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifecycle {
    pub deprecated_at: Option<DateTime<Utc>>,
    pub sunset_at: Option<DateTime<Utc>>,
}

/// The variables a version's lifecycle is read from.
struct LifecycleVariables {
    deprecated_at: &'static str,
    sunset_at: &'static str,
}

const API_V1_LIFECYCLE: LifecycleVariables = LifecycleVariables {
    deprecated_at: "API_V1_DEPRECATED_AT",
    sunset_at: "API_V1_SUNSET_AT",
};

const API_V2_LIFECYCLE: LifecycleVariables = LifecycleVariables {
    deprecated_at: "API_V2_DEPRECATED_AT",
    sunset_at: "API_V2_SUNSET_AT",
};

impl LifecycleVariables {
    fn read(&self, non_empty: impl Fn(&str) -> Option<String>) -> anyhow::Result<Lifecycle> {
        let read = |name: &str| {
            non_empty(name)
                .map(|value| parse_time(&value, name))
                .transpose()
        };
        let lifecycle = Lifecycle {
            deprecated_at: read(self.deprecated_at)?,
            sunset_at: read(self.sunset_at)?,
        };
        self.validate(&lifecycle)?;
        Ok(lifecycle)
    }

    /// A version cannot go away before it is deprecated.
    fn validate(&self, lifecycle: &Lifecycle) -> anyhow::Result<()> {
        if let (Some(deprecated), Some(sunset)) = (lifecycle.deprecated_at, lifecycle.sunset_at)
            && sunset < deprecated
        {
            bail!(
                "{} ({sunset}) is before {} ({deprecated}): a version cannot go away before it \
                 is deprecated",
                self.sunset_at,
                self.deprecated_at
            );
        }
        Ok(())
    }
}

fn parse_time(value: &str, name: &str) -> anyhow::Result<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
        .with_context(|| {
            format!("{name} must be an RFC 3339 time or a YYYY-MM-DD date, not {value:?}")
        })
}

impl Settings {
    /// Reads the settings from the environment variables the README lists.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Defaults suited to a test or a throw-away instance on `database_url`:
    /// a random port, a random secret and no CORS origins.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            listen_addr: "127.0.0.1:0".to_owned(),
            jwt_secret: None,
            jwt_ttl_seconds: DEFAULT_JWT_TTL_SECONDS,
            cors_allowed_origins: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            database_pool_size: None,
            hasher_cgroup: None,
            public_url: None,
            trust_forwarded_headers: false,
            if_match_required: false,
            idempotency_key_ttl_seconds: DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
            atomic_max_operations: DEFAULT_ATOMIC_MAX_OPERATIONS,
            api_v1_lifecycle: Lifecycle::default(),
            api_v2_lifecycle: Lifecycle::default(),
        }
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let settings = Self {
            database_url: non_empty("DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            listen_addr: non_empty("LISTEN_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned()),
            jwt_secret: non_empty("JWT_SECRET"),
            jwt_ttl_seconds: parse_number(non_empty("JWT_TTL_SECONDS"), "JWT_TTL_SECONDS")?
                .unwrap_or(DEFAULT_JWT_TTL_SECONDS),
            cors_allowed_origins: non_empty("CORS_ALLOWED_ORIGINS")
                .map(|origins| {
                    origins
                        .split(',')
                        .map(str::trim)
                        .filter(|origin| !origin.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            max_body_bytes: parse_number(non_empty("MAX_BODY_BYTES"), "MAX_BODY_BYTES")?
                .unwrap_or(DEFAULT_MAX_BODY_BYTES),
            database_pool_size: parse_number(
                non_empty("DATABASE_POOL_SIZE"),
                "DATABASE_POOL_SIZE",
            )?,
            hasher_cgroup: non_empty("HASHER_CGROUP").map(PathBuf::from),
            public_url: non_empty("PUBLIC_URL")
                .map(|url| parse_public_url(&url))
                .transpose()?,
            trust_forwarded_headers: parse_flag(
                non_empty("TRUST_FORWARDED_HEADERS"),
                "TRUST_FORWARDED_HEADERS",
            )?,
            if_match_required: parse_flag(non_empty("IF_MATCH_REQUIRED"), "IF_MATCH_REQUIRED")?,
            idempotency_key_ttl_seconds: parse_number(
                non_empty("IDEMPOTENCY_KEY_TTL_SECONDS"),
                "IDEMPOTENCY_KEY_TTL_SECONDS",
            )?
            .unwrap_or(DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS),
            atomic_max_operations: parse_number(
                non_empty("ATOMIC_MAX_OPERATIONS"),
                "ATOMIC_MAX_OPERATIONS",
            )?
            .unwrap_or(DEFAULT_ATOMIC_MAX_OPERATIONS),
            api_v1_lifecycle: API_V1_LIFECYCLE.read(non_empty)?,
            api_v2_lifecycle: API_V2_LIFECYCLE.read(non_empty)?,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses settings the service cannot run safely with.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(secret) = &self.jwt_secret
            && secret.len() < MIN_JWT_SECRET_BYTES
        {
            bail!(
                "JWT_SECRET is {} bytes long; it must be at least {MIN_JWT_SECRET_BYTES} bytes \
                 (for example the output of `openssl rand -base64 48`)",
                secret.len()
            );
        }
        if self.jwt_ttl_seconds == 0 {
            bail!("JWT_TTL_SECONDS must be at least 1");
        }
        if self.idempotency_key_ttl_seconds == 0 {
            bail!("IDEMPOTENCY_KEY_TTL_SECONDS must be at least 1");
        }
        if self.atomic_max_operations == 0 {
            bail!("ATOMIC_MAX_OPERATIONS must be at least 1");
        }
        if self.max_body_bytes == 0 {
            bail!("MAX_BODY_BYTES must be at least 1");
        }
        if self.database_pool_size == Some(0) {
            bail!("DATABASE_POOL_SIZE must be at least 1");
        }
        API_V1_LIFECYCLE.validate(&self.api_v1_lifecycle)?;
        API_V2_LIFECYCLE.validate(&self.api_v2_lifecycle)?;
        Ok(())
    }
}

fn parse_number<T: std::str::FromStr>(
    value: Option<String>,
    name: &str,
) -> anyhow::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value
        .map(|value| {
            value
                .trim()
                .parse()
                .with_context(|| format!("{name} must be a whole number, not {value:?}"))
        })
        .transpose()
}

/// An absolute `http` or `https` URL, perhaps with a path prefix a proxy
/// adds, but no query, fragment or credentials: links are built by
/// appending paths to it.
fn parse_public_url(value: &str) -> anyhow::Result<String> {
    let refuse = |why: &str| {
        anyhow::anyhow!(
            "PUBLIC_URL must be an absolute http or https URL such as https://api.example.com, \
             {why}: {value:?}"
        )
    };
    let url = url::Url::parse(value.trim()).map_err(|_| refuse("and this is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(refuse("with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("without a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("without credentials"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn parse_flag(value: Option<String>, name: &str) -> anyhow::Result<bool> {
    match value.as_deref().map(str::trim) {
        None => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => bail!("{name} must be true or false, not {other:?}"),
    }
}

/// Debug output never shows the secret or the database password.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen_addr", &self.listen_addr)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("jwt_ttl_seconds", &self.jwt_ttl_seconds)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("database_pool_size", &self.database_pool_size)
            .field("hasher_cgroup", &self.hasher_cgroup)
            .field("public_url", &self.public_url)
            .field("trust_forwarded_headers", &self.trust_forwarded_headers)
            .field("if_match_required", &self.if_match_required)
            .field(
                "idempotency_key_ttl_seconds",
                &self.idempotency_key_ttl_seconds,
            )
            .field("atomic_max_operations", &self.atomic_max_operations)
            .field("api_v1_lifecycle", &self.api_v1_lifecycle)
            .field("api_v2_lifecycle", &self.api_v2_lifecycle)
            .finish()
    }
}

/// The database URL with any password replaced, fit for logs.
pub fn redact_url(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("[redacted]"));
            url.to_string()
        }
        _ => database_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings_from(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn an_empty_environment_gives_the_documented_defaults() {
        let settings = settings_from(&[]).unwrap();
        assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(settings.listen_addr, "127.0.0.1:8080");
        assert_eq!(settings.jwt_ttl_seconds, 3600);
        assert_eq!(settings.max_body_bytes, 65536);
        assert!(settings.jwt_secret.is_none());
        assert!(settings.cors_allowed_origins.is_empty());
        assert!(settings.database_pool_size.is_none());
        assert!(settings.hasher_cgroup.is_none());
        assert!(settings.public_url.is_none());
        assert!(!settings.trust_forwarded_headers);
        assert_eq!(settings.atomic_max_operations, 100);
        assert_eq!(settings.api_v1_lifecycle, Lifecycle::default());
    }

    #[test]
    fn an_atomic_request_must_be_allowed_one_operation() {
        let error = settings_from(&[("ATOMIC_MAX_OPERATIONS", "0")]).unwrap_err();
        assert!(
            error.to_string().contains("ATOMIC_MAX_OPERATIONS"),
            "{error}"
        );
        let settings = settings_from(&[("ATOMIC_MAX_OPERATIONS", "7")]).unwrap();
        assert_eq!(settings.atomic_max_operations, 7);
        assert!(format!("{settings:?}").contains("atomic_max_operations: 7"));
    }

    #[test]
    fn a_version_lifecycle_takes_times_or_dates() {
        let settings = settings_from(&[
            ("API_V1_DEPRECATED_AT", "2027-01-01"),
            ("API_V1_SUNSET_AT", "2027-06-30T23:59:59+02:00"),
        ])
        .unwrap();
        let lifecycle = settings.api_v1_lifecycle;
        assert_eq!(
            lifecycle.deprecated_at.unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
        assert_eq!(
            lifecycle.sunset_at.unwrap().to_rfc3339(),
            "2027-06-30T21:59:59+00:00"
        );
        assert_eq!(settings.api_v2_lifecycle, Lifecycle::default());
    }

    #[test]
    fn a_sunset_before_the_deprecation_is_refused() {
        let error = settings_from(&[
            ("API_V2_DEPRECATED_AT", "2027-06-01"),
            ("API_V2_SUNSET_AT", "2027-05-31"),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("API_V2_SUNSET_AT"), "{error}");
    }

    #[test]
    fn a_lifecycle_date_that_is_not_one_is_refused() {
        let error = settings_from(&[("API_V1_SUNSET_AT", "next year")]).unwrap_err();
        assert!(
            format!("{error:#}").contains("API_V1_SUNSET_AT"),
            "{error:#}"
        );
    }

    #[test]
    fn public_url_loses_its_trailing_slash_and_keeps_a_path_prefix() {
        let settings = settings_from(&[("PUBLIC_URL", "https://example.com/users-service/")]);
        assert_eq!(
            settings.unwrap().public_url.as_deref(),
            Some("https://example.com/users-service")
        );
        let bare = settings_from(&[("PUBLIC_URL", "https://api.example.com")]).unwrap();
        assert_eq!(bare.public_url.as_deref(), Some("https://api.example.com"));
    }

    #[test]
    fn a_public_url_links_cannot_be_built_on_is_refused() {
        for value in [
            "api.example.com",
            "ftp://api.example.com",
            "https://api.example.com/?a=1",
            "https://user:pw@api.example.com",
        ] {
            let error = settings_from(&[("PUBLIC_URL", value)]).unwrap_err();
            assert!(error.to_string().contains("PUBLIC_URL"), "{value}: {error}");
        }
    }

    #[test]
    fn trust_forwarded_headers_is_a_flag() {
        let on = settings_from(&[("TRUST_FORWARDED_HEADERS", "true")]).unwrap();
        assert!(on.trust_forwarded_headers);
        let error = settings_from(&[("TRUST_FORWARDED_HEADERS", "maybe")]).unwrap_err();
        assert!(
            error.to_string().contains("TRUST_FORWARDED_HEADERS"),
            "{error}"
        );
    }

    #[test]
    fn hasher_cgroup_is_read_as_a_path() {
        let settings = settings_from(&[("HASHER_CGROUP", "/sys/fs/cgroup/cpu/hashers")]).unwrap();
        assert_eq!(
            settings.hasher_cgroup.as_deref(),
            Some(std::path::Path::new("/sys/fs/cgroup/cpu/hashers"))
        );
    }

    #[test]
    fn a_short_jwt_secret_is_refused_with_the_reason() {
        let error = settings_from(&[("JWT_SECRET", "too-short")]).unwrap_err();
        assert!(error.to_string().contains("at least 32 bytes"), "{error}");
    }

    #[test]
    fn cors_origins_are_split_on_commas_and_trimmed() {
        let settings = settings_from(&[(
            "CORS_ALLOWED_ORIGINS",
            "http://a.example, http://b.example,",
        )])
        .unwrap();
        assert_eq!(
            settings.cors_allowed_origins,
            ["http://a.example", "http://b.example"]
        );
    }

    #[test]
    fn a_malformed_number_names_its_variable() {
        let error = settings_from(&[("MAX_BODY_BYTES", "lots")]).unwrap_err();
        assert!(error.to_string().contains("MAX_BODY_BYTES"), "{error}");
    }

    #[test]
    fn debug_output_redacts_the_secret_and_the_database_password() {
        let settings = settings_from(&[
            ("JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret"),
            ("DATABASE_URL", "postgres://app:hunter2@db/users"),
        ])
        .unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
