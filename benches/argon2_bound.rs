//! How long one argon2id hash takes, how many hashes a second the pool
//! sustains on every core, and the peak memory that costs. Asserts nothing:
//! it prints one `RESULT` line for people and scripts to compare.

use std::{
    num::NonZero,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use users_service::auth::password::{Password, Passwords};

const SEQUENTIAL_HASHES: usize = 15;
const FLOOD: Duration = Duration::from_secs(5);
const TASKS_PER_CORE: usize = 4;

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let passwords = Arc::new(Passwords::new(cores, None).expect("the password pool starts"));
    let password = Password::new("correct horse battery staple".into());

    let hash_ms = runtime.block_on(median_hash_ms(&passwords, &password));
    let parallel_per_s = runtime.block_on(flood(&passwords, &password, cores * TASKS_PER_CORE));
    let bound_per_s = cores as f64 / (hash_ms / 1000.0);

    println!(
        "RESULT hash_ms={hash_ms:.1} cores={cores} bound_per_s={bound_per_s:.1} \
         parallel_per_s={parallel_per_s:.1} peak_rss_mb={:.1}",
        peak_rss_mb()
    );
}

async fn median_hash_ms(passwords: &Passwords, password: &Password) -> f64 {
    let mut times = Vec::with_capacity(SEQUENTIAL_HASHES);
    for _ in 0..SEQUENTIAL_HASHES {
        let start = Instant::now();
        passwords.hash(password).await.expect("hashing works");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Hashes a second with `tasks` callers competing for the pool.
async fn flood(passwords: &Arc<Passwords>, password: &Password, tasks: usize) -> f64 {
    let hashed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let (passwords, password, hashed) =
                (passwords.clone(), password.clone(), hashed.clone());
            tokio::spawn(async move {
                while start.elapsed() < FLOOD {
                    passwords.hash(&password).await.expect("hashing works");
                    hashed.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a flood task finishes");
    }
    hashed.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// The resident-set high-water mark, in MiB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}
