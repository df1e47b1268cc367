//! glibc allocator tuning for the password hashers, whose 19 MiB argon2
//! buffers would otherwise stay resident in glibc's arenas after a flood of
//! sign-ins. Elsewhere than glibc these do nothing.

/// Hands the allocator's free pages back to the system. glibc keeps freed
/// memory in its arenas for reuse and never returns what lies below the top
/// of a heap on its own, so each burst's peak would stay resident.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_free_memory() {
    // SAFETY: malloc_trim only walks glibc's own arenas, under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_free_memory() {}

/// Makes glibc map every large block, argon2's included, on its own and
/// unmap it when freed. By default, freeing one raises the size glibc maps
/// on its own past that block's, so the next one came from an arena and,
/// freed, stayed resident there.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn unmap_large_blocks_when_freed() {
    /// glibc's own default; setting it at all is what keeps it fixed.
    const MAP_FROM_BYTES: libc::c_int = 128 * 1024;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: mallopt only changes glibc's allocation settings.
        if unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM_BYTES) } != 1 {
            tracing::warn!("cannot fix glibc's mmap threshold");
        }
    });
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn unmap_large_blocks_when_freed() {}
