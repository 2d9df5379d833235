//! Disk figures where the journal and photos live, for the diagnostics, the metrics and the
//! heartbeat. A leaf.

use std::path::Path;

/// Free bytes (for unprivileged users) on the file system that holds or will hold `dir`.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    rustix::fs::statvfs(existing_ancestor(dir))
        .ok()
        .map(|st| st.f_bavail * st.f_frsize)
}

/// `dir`, or its nearest ancestor that exists (a relative path's last ancestor is "": the
/// working directory).
pub fn existing_ancestor(dir: &Path) -> &Path {
    dir.ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(dir)
}
