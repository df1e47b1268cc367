//! Password hashing with argon2id, off the async runtime and with bounded
//! parallelism, so that a flood of sign-ins cannot stall other requests.
//!
//! Every hash runs on one of `parallelism` hasher threads, in memory the
//! thread keeps while it has work. Left to itself the argon2 crate allocates
//! 19 MiB per hash, and glibc kept those freed chunks in the per-thread arenas
//! of tokio's blocking-pool threads, so a flood grew the process to hundreds
//! of megabytes. Kept for good, the hashers' memory would be resident even
//! while nobody signs in, so an idle hasher gives it back.

use std::{
    fmt,
    panic::AssertUnwindSafe,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, Salt, SaltString, rand_core::OsRng},
};
use tokio::sync::oneshot;

use super::error::AuthError;
use crate::platform::{allocator, hasher_scheduling};

/// OWASP's argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// How long a hasher waits for work before giving its memory back. Long
/// enough that a steady trickle of sign-ins reuses it; a hash after an idle
/// spell pays about a millisecond to take it again.
const RELEASE_MEMORY_AFTER: Duration = Duration::from_secs(1);

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

/// Hashes and verifies passwords on a few dedicated threads.
pub struct Passwords {
    jobs: flume::Sender<Job>,
    /// Verified against when the email is unknown, so that an unknown email
    /// takes as long as a wrong password.
    dummy_hash: String,
    /// How many hashers hold their argon2 memory now.
    memory_held: Arc<AtomicUsize>,
    parallelism: usize,
}

/// Work for a hasher thread, given that thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

impl Passwords {
    /// Starts `parallelism` hasher threads, in `cgroup` when one is given;
    /// the threads stop when this is dropped.
    pub fn new(parallelism: usize, cgroup: Option<&Path>) -> anyhow::Result<Self> {
        Self::with_idle_release(parallelism, cgroup, RELEASE_MEMORY_AFTER)
    }

    fn with_idle_release(
        parallelism: usize,
        cgroup: Option<&Path>,
        release_after: Duration,
    ) -> anyhow::Result<Self> {
        allocator::unmap_large_blocks_when_freed();
        if let Some(dir) = cgroup {
            hasher_scheduling::warn_unless_idle(dir);
        }
        let parallelism = parallelism.max(1);
        let (jobs, queue) = flume::unbounded::<Job>();
        let memory_held = Arc::new(AtomicUsize::new(0));
        let (placed, placements) = std::sync::mpsc::channel();
        for index in 0..parallelism {
            let hasher = Hasher {
                queue: queue.clone(),
                release_after,
                memory_held: memory_held.clone(),
            };
            let cgroup = cgroup.map(Path::to_owned);
            let placed = placed.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    let placement = hasher_scheduling::step_aside(cgroup.as_deref());
                    let serve = placement.is_ok();
                    let _ = placed.send(placement);
                    if serve {
                        hasher.run();
                    }
                })?;
        }
        // Only the threads hold senders now, so one that ends without
        // reporting makes the wait below fail rather than hang.
        drop(placed);
        for _ in 0..parallelism {
            placements
                .recv()
                .map_err(|_| anyhow::anyhow!("a password hasher did not start"))??;
        }
        let (answer, answered) = std::sync::mpsc::channel();
        let password = uuid::Uuid::new_v4().to_string();
        jobs.send(Box::new(move |memory| {
            let _ = answer.send(hash_now(&password, memory));
        }))
        .map_err(|_| anyhow::anyhow!("the password hashers did not start"))?;
        let dummy_hash = answered.recv()??;
        Ok(Self {
            jobs,
            dummy_hash,
            memory_held,
            parallelism,
        })
    }

    /// How many hashes run at once.
    pub fn parallelism(&self) -> usize {
        self.parallelism
    }

    /// How many hashers hold their argon2 memory now.
    pub fn memory_held(&self) -> usize {
        self.memory_held.load(Ordering::Relaxed)
    }

    /// A fresh argon2id PHC string for `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, AuthError> {
        let password = password.clone();
        self.run(move |memory| hash_now(password.expose(), memory).map_err(AuthError::internal))
            .await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when there
    /// is no user, so both cases take the same time and both fail.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verification, AuthError> {
        let known_user = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.clone();
        let verification = self
            .run(move |memory| verify_now(password.expose(), &stored, memory))
            .await?;
        Ok(Verification {
            matches: verification.matches && known_user,
            ..verification
        })
    }

    /// Queues `work` for the next free hasher; callers wait in order.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Box::new(move |memory| {
                let _ = answer.send(work(memory));
            }))
            .map_err(|_| AuthError::internal("the password hashers have stopped"))?;
        answered
            .await
            .map_err(|_| AuthError::internal("a password hash failed"))
    }
}

/// One hasher thread's share of the queue and its argon2 memory.
struct Hasher {
    queue: flume::Receiver<Job>,
    release_after: Duration,
    memory_held: Arc<AtomicUsize>,
}

impl Hasher {
    /// Takes jobs until `Passwords` is dropped.
    fn run(self) {
        let mut memory: Option<Vec<Block>> = None;
        loop {
            let job = match self.queue.recv_timeout(self.release_after) {
                Ok(job) => job,
                Err(flume::RecvTimeoutError::Timeout) => {
                    if memory.take().is_some() {
                        self.memory_held.fetch_sub(1, Ordering::Relaxed);
                        allocator::return_free_memory();
                    }
                    match self.queue.recv() {
                        Ok(job) => job,
                        Err(flume::RecvError::Disconnected) => return,
                    }
                }
                Err(flume::RecvTimeoutError::Disconnected) => return,
            };
            let memory = memory.get_or_insert_with(|| {
                // What bursts of requests freed meanwhile is still resident;
                // giving it back first makes this memory take its place
                // rather than add to it.
                allocator::return_free_memory();
                self.memory_held.fetch_add(1, Ordering::Relaxed);
                vec![Block::default(); current_params().block_count()]
            });
            // A job that panics loses only its own answer; the thread and its
            // memory serve the next one.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(memory)));
        }
    }
}

fn current_params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("the OWASP argon2 parameters are valid")
}

fn hash_now(password: &str, memory: &mut [Block]) -> anyhow::Result<String> {
    hash_with_salt(password, &SaltString::generate(&mut OsRng), memory)
}

/// What `Argon2::hash_password` returns at our parameters, byte for byte,
/// but computed in `memory` instead of a fresh allocation.
fn hash_with_salt(
    password: &str,
    salt: &SaltString,
    memory: &mut [Block],
) -> anyhow::Result<String> {
    let params = current_params();
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|error| anyhow::anyhow!("argon2 salt is unusable: {error}"))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, memory)?)
    })
    .map_err(|error| anyhow::anyhow!("argon2 hashing failed: {error}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|error| anyhow::anyhow!("argon2 parameters do not encode: {error}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_now(password: &str, stored: &str, memory: &mut [Block]) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored password hash is not a PHC string");
        return Verification {
            matches: false,
            needs_rehash: false,
        };
    };
    let matches = recompute_matches(password, &parsed, memory).unwrap_or_else(|error| {
        tracing::error!(%error, "a stored password hash cannot be checked");
        false
    });
    Verification {
        matches,
        needs_rehash: is_weaker_than_current(&parsed),
    }
}

/// What `PasswordVerifier::verify_password` does, with the algorithm,
/// version, parameters and output length all taken from `stored`.
fn recompute_matches(
    password: &str,
    stored: &PasswordHash<'_>,
    memory: &mut [Block],
) -> argon2::password_hash::Result<bool> {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(stored)?;
    let fits = params.block_count() <= memory.len();
    let hasher = Argon2::new(algorithm, version, params);
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let computed = Output::init_with(expected.len(), |out| {
        let password = password.as_bytes();
        Ok(if fits {
            hasher.hash_password_into_with_memory(password, salt_bytes, out, memory)
        } else {
            // A legacy hash stronger than today's: rare enough to allocate for.
            hasher.hash_password_into(password, salt_bytes, out)
        }?)
    })?;
    // `Output`'s equality is constant-time.
    Ok(computed == *expected)
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
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    const RIGHT: &str = "correct horse battery staple";
    const WRONG: &str = "correct horse battery stapler";

    fn with_memory<T>(work: impl FnOnce(&mut [Block]) -> T) -> T {
        work(&mut vec![Block::default(); current_params().block_count()])
    }

    fn stock_hash(password: &str, algorithm: Algorithm, params: Params) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(algorithm, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    fn weak_hash(password: &str) -> String {
        stock_hash(
            password,
            Algorithm::Argon2id,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
    }

    #[test]
    fn a_hash_is_an_argon2id_phc_string_at_owasp_parameters() {
        let hash = with_memory(|memory| hash_now(RIGHT, memory)).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[test]
    fn a_hash_is_byte_for_byte_what_the_stock_hasher_makes() {
        let salt = SaltString::generate(&mut OsRng);
        let ours = with_memory(|memory| hash_with_salt(RIGHT, &salt, memory)).unwrap();
        let stock = Argon2::new(Algorithm::Argon2id, Version::V0x13, current_params())
            .hash_password(RIGHT.as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert_eq!(ours, stock);
    }

    #[test]
    fn a_pooled_hash_verifies_with_the_stock_verifier() {
        let hash = with_memory(|memory| hash_now(RIGHT, memory)).unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(
            Argon2::default()
                .verify_password(RIGHT.as_bytes(), &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(WRONG.as_bytes(), &parsed)
                .is_err()
        );
    }

    #[test]
    fn a_stock_hash_verifies_through_the_pool() {
        let hash = stock_hash(RIGHT, Algorithm::Argon2id, current_params());
        with_memory(|memory| {
            let right = verify_now(RIGHT, &hash, memory);
            assert!(right.matches && !right.needs_rehash, "{right:?}");
            assert!(!verify_now(WRONG, &hash, memory).matches);
        });
    }

    #[test]
    fn the_right_password_matches_and_a_wrong_one_does_not() {
        with_memory(|memory| {
            let hash = hash_now(RIGHT, memory).unwrap();
            assert!(verify_now(RIGHT, &hash, memory).matches);
            assert!(!verify_now(WRONG, &hash, memory).matches);
        });
    }

    #[test]
    fn weaker_stored_parameters_ask_for_a_rehash() {
        let weak = weak_hash(RIGHT);
        with_memory(|memory| {
            let verification = verify_now(RIGHT, &weak, memory);
            assert!(verification.matches && verification.needs_rehash);
            assert!(!verify_now(WRONG, &weak, memory).matches);
            let current = hash_now(RIGHT, memory).unwrap();
            assert!(!verify_now(RIGHT, &current, memory).needs_rehash);
        });
    }

    #[test]
    fn a_stored_hash_needing_more_memory_than_a_pooled_buffer_still_verifies() {
        let stronger = stock_hash(
            RIGHT,
            Algorithm::Argon2id,
            Params::new(2 * MEMORY_KIB, ITERATIONS, LANES, None).unwrap(),
        );
        with_memory(|memory| {
            let right = verify_now(RIGHT, &stronger, memory);
            assert!(right.matches && !right.needs_rehash, "{right:?}");
            assert!(!verify_now(WRONG, &stronger, memory).matches);
        });
    }

    #[test]
    fn argon2i_and_argon2d_hashes_verify_and_ask_for_a_rehash() {
        for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d] {
            let hash = stock_hash(RIGHT, algorithm, current_params());
            with_memory(|memory| {
                let right = verify_now(RIGHT, &hash, memory);
                assert!(
                    right.matches && right.needs_rehash,
                    "{algorithm}: {right:?}"
                );
                assert!(!verify_now(WRONG, &hash, memory).matches, "{algorithm}");
            });
        }
    }

    #[tokio::test]
    async fn a_job_that_panics_leaves_its_hasher_serving() {
        let passwords = Passwords::new(1, None).unwrap();
        let outcome: Result<(), AuthError> = passwords.run(|_| panic!("hashing blew up")).await;
        assert!(outcome.is_err());
        let password = Password::new(RIGHT.into());
        let hash = passwords.hash(&password).await.unwrap();
        assert!(verifies(&passwords, &password, &hash).await);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn hasher_threads_run_only_when_nothing_else_would() {
        let _passwords = Passwords::new(2, None).unwrap();
        let policies: Vec<i64> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|task| {
                let path = task.unwrap().path();
                let name = std::fs::read_to_string(path.join("comm")).ok()?;
                name.starts_with("argon2-").then(|| {
                    let stat = std::fs::read_to_string(path.join("stat")).unwrap();
                    // Field 41 is the scheduling policy; the name in
                    // parentheses comes before and may hold spaces.
                    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
                    after_name.split(' ').nth(38).unwrap().parse().unwrap()
                })
            })
            .collect();
        assert!(policies.len() >= 2, "{policies:?}");
        assert!(
            policies
                .iter()
                .all(|&policy| policy == i64::from(libc::SCHED_IDLE)),
            "{policies:?}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_hasher_thread_joins_the_cgroup_it_is_given() {
        let cgroup = tempfile::tempdir().unwrap();
        let tasks = cgroup.path().join("tasks");
        std::fs::write(&tasks, "").unwrap();
        let _passwords = Passwords::new(2, Some(cgroup.path())).unwrap();
        let names: Vec<String> = std::fs::read_to_string(&tasks)
            .unwrap()
            .lines()
            .map(|id| std::fs::read_to_string(format!("/proc/self/task/{id}/comm")).unwrap())
            .map(|name| name.trim().to_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&"argon2-0".to_owned()), "{names:?}");
        assert!(names.contains(&"argon2-1".to_owned()), "{names:?}");
    }

    #[test]
    fn hashers_that_cannot_join_their_cgroup_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-cgroup");
        let error = Passwords::new(2, Some(&missing)).err().unwrap();
        assert!(
            format!("{error:#}").contains(&missing.display().to_string()),
            "{error:#}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashes_through_two_hashers_all_verify() {
        let passwords = Arc::new(Passwords::new(2, None).unwrap());
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let passwords = passwords.clone();
                tokio::spawn(async move {
                    let password = Password::new(format!("{RIGHT} #{task}"));
                    let hash = passwords.hash(&password).await.unwrap();
                    let verification = passwords.verify(&password, Some(&hash)).await.unwrap();
                    assert!(verification.matches && !verification.needs_rehash);
                    let wrong = Password::new(format!("{WRONG} #{task}"));
                    assert!(!passwords.verify(&wrong, Some(&hash)).await.unwrap().matches);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    }

    #[tokio::test]
    async fn an_unknown_user_never_matches_even_the_dummy_password() {
        let passwords = Passwords::new(1, None).unwrap();
        let verification = passwords
            .verify(&Password::new("anything at all, really".into()), None)
            .await
            .unwrap();
        assert!(!verification.matches);
    }

    async fn verifies(passwords: &Passwords, password: &Password, hash: &str) -> bool {
        passwords
            .verify(password, Some(hash))
            .await
            .unwrap()
            .matches
    }

    async fn wait_until_no_memory_is_held(passwords: &Passwords) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while passwords.memory_held() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the hashers kept their memory"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn idle_hashers_give_their_memory_back_and_take_it_again_for_work() {
        let passwords = Passwords::with_idle_release(2, None, Duration::from_millis(100)).unwrap();
        wait_until_no_memory_is_held(&passwords).await;
        let held = passwords.memory_held.clone();
        let held_while_working = passwords
            .run(move |_| held.load(Ordering::Relaxed))
            .await
            .unwrap();
        assert_eq!(held_while_working, 1);
        wait_until_no_memory_is_held(&passwords).await;
        let password = Password::new(RIGHT.into());
        let hash = passwords.hash(&password).await.unwrap();
        wait_until_no_memory_is_held(&passwords).await;
        assert!(verifies(&passwords, &password, &hash).await);
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let shown = format!("{:?}", Password::new("hunter2hunter2hunter2".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
