//! The wire between the driver and the simulated controllers, with faults a real RS-485 line
//! has: corrupted bytes (CRC errors), noise before a reply, and an adapter that vanishes and
//! comes back (USB re-enumeration).
//!
//! The driver opens a stable symlink (as udev gives `/dev/photo-kiosk/bus`) that points at the
//! slave end of an outer pseudo-terminal. A proxy pumps bytes between that pty and the inner pty
//! the Modbus server listens on, damaging replies as told. Vanishing closes the outer pty and
//! removes the link; reappearing makes a new pty and points the link at it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use tokio_serial::SerialStream;

/// Damage applied to the controllers' replies on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireFaults {
    /// Corrupt one byte of every n-th reply (0: never).
    pub corrupt_every: u32,
    /// Send noise bytes before every n-th reply (0: never).
    pub noise_every: u32,
}

#[derive(Default)]
struct Counters {
    faults: WireFaults,
    replies: u64,
    corrupted: u64,
    noisy: u64,
}

/// The outer side: the pty the driver uses, behind a stable symlink.
pub(crate) struct Wire {
    link: PathBuf,
    counters: Arc<Mutex<Counters>>,
    inner: Arc<tokio::sync::Mutex<SerialStream>>,
    outer: Option<(SerialStream, JoinHandle<()>)>,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A private directory for the symlink, removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Wire {
    /// Put a faulty wire in front of `inner` (the slave end of the server's pty).
    pub(crate) fn new(inner: SerialStream) -> io::Result<Self> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n == 0 {
            sweep_dead(&std::env::temp_dir());
        }
        let dir = std::env::temp_dir().join(format!("{PREFIX}{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut wire = Self {
            link: dir.join("bus"),
            counters: Arc::default(),
            inner: Arc::new(tokio::sync::Mutex::new(inner)),
            outer: None,
            _dir: tempdir::Dir(dir),
        };
        wire.appear()?;
        Ok(wire)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.link
    }

    pub(crate) fn set_faults(&self, faults: WireFaults) {
        self.counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .faults = faults;
    }

    /// (replies, corrupted, noisy) so far.
    pub(crate) fn stats(&self) -> (u64, u64, u64) {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        (c.replies, c.corrupted, c.noisy)
    }

    /// The adapter is unplugged: the driver's port breaks and the path disappears.
    pub(crate) fn vanish(&mut self) {
        if let Some((_slave, pump)) = self.outer.take() {
            pump.abort();
        }
        let _ = std::fs::remove_file(&self.link);
    }

    /// The adapter is back (a new pty, the same path).
    pub(crate) fn appear(&mut self) -> io::Result<()> {
        self.vanish();
        let (master, slave) = SerialStream::pair()?;
        let pts = tokio_serial::SerialPort::name(&slave)
            .ok_or_else(|| io::Error::other("pty has no name"))?;
        std::os::unix::fs::symlink(&pts, &self.link)?;
        let pump = tokio::spawn(pump(master, self.inner.clone(), self.counters.clone()));
        // The slave end stays open here so the master never reads EIO before the driver opens it.
        self.outer = Some((slave, pump));
        Ok(())
    }
}

/// The simulator's directories are named `photo-kiosk-sim-PID-N`.
const PREFIX: &str = "photo-kiosk-sim-";

/// Remove the directories of simulators whose process has ended without dropping them (killed,
/// or ended by `process::exit`, as `kiosk demo` and the kill tests do). They hold only a
/// dangling symlink, but they would pile up in /tmp.
fn sweep_dead(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.vanish();
    }
}

/// Move requests from the driver to the server and replies back, damaging replies.
async fn pump(
    mut outer: SerialStream,
    inner: Arc<tokio::sync::Mutex<SerialStream>>,
    counters: Arc<Mutex<Counters>>,
) {
    let mut inner = inner.lock().await;
    let mut from_driver = [0u8; 512];
    let mut from_server = [0u8; 512];
    loop {
        tokio::select! {
            r = outer.read(&mut from_driver) => {
                let Ok(n) = r else { return };
                if n == 0 || inner.write_all(&from_driver[..n]).await.is_err() {
                    return;
                }
            }
            r = inner.read(&mut from_server) => {
                let Ok(n) = r else { return };
                if n == 0 {
                    return;
                }
                let mut reply = from_server[..n].to_vec();
                {
                    let mut c = counters.lock().unwrap_or_else(|p| p.into_inner());
                    c.replies += 1;
                    let f = c.faults;
                    if f.corrupt_every > 0 && c.replies.is_multiple_of(u64::from(f.corrupt_every)) {
                        let last = reply.len() - 1;
                        reply[last] ^= 0x5A;
                        c.corrupted += 1;
                    }
                    if f.noise_every > 0 && c.replies.is_multiple_of(u64::from(f.noise_every)) {
                        reply.splice(0..0, [0x00, 0xFF, 0x13, 0x37]);
                        c.noisy += 1;
                    }
                }
                if outer.write_all(&reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A simulator's directory is removed once its process is gone; a live process's, and
    /// anything else, is left alone.
    #[test]
    fn the_directories_of_ended_processes_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        // Above any pid_max (at most 2^22), so no such process.
        let dead = tmp.path().join(format!("{PREFIX}4294967-0"));
        let alive = tmp.path().join(format!("{PREFIX}{}-3", std::process::id()));
        let other = tmp.path().join("photo-kiosk-simulated");
        for dir in [&dead, &alive, &other] {
            std::fs::create_dir(dir).unwrap();
        }
        std::os::unix::fs::symlink("/dev/pts/4242", dead.join("bus")).unwrap();
        sweep_dead(tmp.path());
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists());
    }
}
