//! Where the password hashers run: behind every other thread, so that a
//! flood of sign-ins takes only the cycles that reads leave.
//!
//! A hasher runs under SCHED_IDLE, but that policy only ranks threads within
//! their scheduling group. With autogroups, which this machine kind has on,
//! that group is the service's session, and the database's backends, in
//! another group, were seen waiting up to a scheduler tick for a hasher's
//! core. A CPU cgroup with `cpu.idle = 1` (HASHER_CGROUP) ranks the hashers
//! behind every other group too; docs/performance.md has the
//! measurements.

use std::path::Path;

/// Lowers the calling thread's priority and, given a cgroup, moves the
/// thread into it.
pub fn step_aside(cgroup: Option<&Path>) -> anyhow::Result<()> {
    lower_priority();
    match cgroup {
        Some(dir) => join_cgroup(dir),
        None => Ok(()),
    }
}

/// Warns when `dir` does not rank its threads behind all others, as the
/// hashers would then share the cores with reads as equals.
pub fn warn_unless_idle(dir: &Path) {
    let idle = std::fs::read_to_string(dir.join("cpu.idle")).is_ok_and(|idle| idle.trim() == "1");
    if !idle {
        tracing::warn!(
            cgroup = %dir.display(),
            "HASHER_CGROUP does not have cpu.idle set to 1, so the password hashers compete with \
             other work there"
        );
    }
}

/// Beside a sign-in flood, GET /me's p99 on the first flood after start was
/// 55 ms at nice 10 and 5.3 ms under SCHED_IDLE, at the same sign-in rate.
#[cfg(target_os = "linux")]
fn lower_priority() {
    let idle = libc::sched_param { sched_priority: 0 };
    // SAFETY: sched_setscheduler reads the parameter we pass and nothing
    // else of ours. On Linux, pid 0 names the calling thread alone.
    let result = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &idle) };
    if result != 0 {
        tracing::warn!("cannot lower the priority of a password hasher thread");
    }
}

/// Elsewhere the call would lower the whole process, so hashers keep the
/// default priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(target_os = "linux")]
fn join_cgroup(dir: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;

    use anyhow::Context as _;

    // cgroup v2 moves a single thread through cgroup.threads (in a threaded
    // subtree); v1 through tasks.
    let threads = dir.join("cgroup.threads");
    let file = if threads.exists() {
        threads
    } else {
        dir.join("tasks")
    };
    // SAFETY: gettid has no preconditions and touches no memory of ours.
    let thread_id = unsafe { libc::gettid() };
    // Appending, so that a plain file standing in for the cgroup keeps
    // every id; the kernel takes each write as one id either way.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut opened| opened.write_all(format!("{thread_id}\n").as_bytes()))
        .with_context(|| {
            format!(
                "cannot move a password hasher thread into HASHER_CGROUP {}",
                dir.display()
            )
        })
}

#[cfg(not(target_os = "linux"))]
fn join_cgroup(dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!(
        "HASHER_CGROUP {} is set, but CPU cgroups exist only on Linux",
        dir.display()
    )
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::{fs, path::PathBuf};

    use super::*;

    fn ids_in(file: PathBuf) -> Vec<i32> {
        fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|line| line.parse().unwrap())
            .collect()
    }

    fn on_own_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> (i32, T) {
        std::thread::spawn(move || {
            // SAFETY: as in join_cgroup.
            let id = unsafe { libc::gettid() };
            (id, work())
        })
        .join()
        .unwrap()
    }

    #[test]
    fn a_v1_cgroup_takes_the_thread_through_tasks() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tasks"), "").unwrap();
        let path = dir.path().to_owned();
        let (id, joined) = on_own_thread(move || step_aside(Some(&path)));
        joined.unwrap();
        assert_eq!(ids_in(dir.path().join("tasks")), [id]);
    }

    #[test]
    fn a_v2_cgroup_takes_the_thread_through_cgroup_threads() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("tasks"), "").unwrap();
        fs::write(dir.path().join("cgroup.threads"), "").unwrap();
        let path = dir.path().to_owned();
        let (id, joined) = on_own_thread(move || step_aside(Some(&path)));
        joined.unwrap();
        assert_eq!(ids_in(dir.path().join("cgroup.threads")), [id]);
        assert!(ids_in(dir.path().join("tasks")).is_empty());
    }

    #[test]
    fn a_cgroup_that_cannot_be_joined_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-cgroup");
        let shown = missing.display().to_string();
        let (_, joined) = on_own_thread(move || step_aside(Some(&missing)));
        let error = format!("{:#}", joined.unwrap_err());
        assert!(error.contains(&shown), "{error}");
    }

    /// On a machine with a v1 CPU hierarchy that we may write, as CI's is,
    /// the thread really lands in an idle cgroup.
    #[test]
    fn a_thread_lands_in_a_real_idle_cgroup_where_the_kernel_offers_one() {
        let root = Path::new("/sys/fs/cgroup/cpu");
        let dir = root.join(format!("users-service-test-{}", uuid::Uuid::new_v4()));
        if !root.join("cpu.idle").exists() || fs::create_dir(&dir).is_err() {
            eprintln!("no writable v1 CPU cgroup hierarchy with cpu.idle here");
            return;
        }
        fs::write(dir.join("cpu.idle"), "1").unwrap();
        let path = dir.clone();
        let (_, placed) = on_own_thread(move || {
            step_aside(Some(&path)).map(|()| fs::read_to_string("/proc/thread-self/cgroup"))
        });
        let emptied = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            fs::remove_dir(&dir).is_ok()
        });
        let placed = placed.unwrap().unwrap();
        let name = dir.file_name().unwrap().to_str().unwrap();
        assert!(
            placed
                .lines()
                .any(|line| line.contains(":cpu") && line.ends_with(name)),
            "{placed}"
        );
        assert!(emptied, "the test cgroup {} is left behind", dir.display());
    }
}
