//! The worker's memory allocator.
//!
//! A crawl allocates and frees many small objects per page: DOM nodes, text runs, link
//! strings. glibc malloc took about a tenth of a worker's CPU in profiles; mimalloc is
//! faster. In its default settings it held 15-25 % more memory than glibc, which broke the
//! 300 MB budget for 64 concurrent sites: it advises the kernel to back its arenas with
//! transparent huge pages. Built without that (`no_thp`) and told to return freed memory
//! after 10 ms, it stays under the budget. Returning it at once (0 ms) held 5-8 MB less but
//! cost a `madvise` call per freed page run and the page faults of reusing it: 5-15 % of the
//! crawl rate. docs/benchmarks-crawl.md has the figures. [`peak_rss_kb`] reads the peak
//! those benchmarks hold to the budget.
//!
//! Binaries that run crawls declare it:
//!
//! ```text
//! #[global_allocator]
//! static ALLOC: pucha_crawl::alloc::WorkerAllocator = pucha_crawl::alloc::WorkerAllocator;
//! fn main() {
//!     pucha_crawl::alloc::tune();
//! }
//! ```

pub use mimalloc::MiMalloc as WorkerAllocator;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (libmimalloc-sys 0.1.49 names no
/// constant for it): milliseconds before freed memory is returned to the OS.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// The worker's purge delay, in milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Sets the allocator option above, unless the environment sets `MIMALLOC_PURGE_DELAY`
/// (mimalloc reads it itself). Call first thing in `main`; it only changes when mimalloc
/// returns memory, so calling it with another allocator is harmless.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: mi_option_set only stores a value in mimalloc's option table; valid for any
    // option index and value, at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// This process's peak resident set in kB (`VmHWM` of /proc/self/status; 0 where there is
/// none), for benchmarks that hold a crawl to the memory budget.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|st| {
            st.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_set() {
        tune();
        // SAFETY: reads mimalloc's option table.
        let purge = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(purge, PURGE_DELAY_MS);
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        let held = vec![1u8; 8 << 20];
        assert!(peak_rss_kb() >= 8 * 1024, "VmHWM covers an 8 MB buffer");
        drop(held);
    }
}
