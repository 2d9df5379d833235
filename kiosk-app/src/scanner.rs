//! USB barcode scanners that act as keyboards: they "type" the code and press Enter.
//!
//! The kiosk reads the scanner's Linux input device (`/dev/input/by-id/...-event-kbd`, set in
//! `[scanner] device`) directly, so nothing has to have keyboard focus. The device yields
//! `struct input_event` records; key presses are turned into text with a US layout (what
//! scanners emulate by default) and a line is complete at Enter. The decoding is written here
//! rather than with the `evdev` crate because that crate's device setup needs ioctls a test
//! cannot provide without `/dev/uinput`; reading the records is the same on a device, a FIFO or
//! an in-memory stream, so the production path is the tested one. The `evdev` crate is used
//! for what needs the ioctls: grabbing the device (EVIOCGRAB), so a scanned code reaches the
//! kiosk alone and never types into a console or another program.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;
use tracing::{info, warn};

use kiosk_core::mask;

/// `[scanner]` config section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// Input device of the scanner; empty: no USB scanner (the camera's live view still scans).
    pub device: PathBuf,
}

/// Size of `struct input_event` on 64-bit Linux: a 16-byte timeval, u16 type, u16 code, i32 value.
pub const EVENT_SIZE: usize = 24;
const EV_KEY: u16 = 1;
const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;

/// The character a key makes on a US layout, unshifted and shifted.
fn key_char(code: u16) -> Option<(char, char)> {
    const ROW1: &str = "1234567890-=";
    const ROW1S: &str = "!@#$%^&*()_+";
    const QWERTY: &str = "qwertyuiop[]";
    const QWERTYS: &str = "QWERTYUIOP{}";
    const ASDF: &str = "asdfghjkl;'`";
    const ASDFS: &str = "ASDFGHJKL:\"~";
    const ZXCV: &str = "\\zxcvbnm,./";
    const ZXCVS: &str = "|ZXCVBNM<>?";
    let pick = |plain: &str, shifted: &str, i: u16| {
        Some((
            plain.chars().nth(i as usize)?,
            shifted.chars().nth(i as usize)?,
        ))
    };
    match code {
        2..=13 => pick(ROW1, ROW1S, code - 2),
        16..=27 => pick(QWERTY, QWERTYS, code - 16),
        30..=41 => pick(ASDF, ASDFS, code - 30),
        43..=53 => pick(ZXCV, ZXCVS, code - 43),
        57 => Some((' ', ' ')),
        _ => None,
    }
}

/// Turns key events into lines.
#[derive(Default)]
pub struct KeyDecoder {
    shift: bool,
    line: String,
}

/// Longest line kept; a scanner that never sends Enter cannot grow memory.
const MAX_LINE: usize = 4096;

impl KeyDecoder {
    /// Feed one event; returns a line when Enter completes one.
    pub fn feed(&mut self, kind: u16, code: u16, value: i32) -> Option<String> {
        if kind != EV_KEY {
            return None;
        }
        if code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT {
            self.shift = value != 0;
            return None;
        }
        // 1 = press, 2 = auto-repeat; releases (0) type nothing.
        if value == 0 {
            return None;
        }
        if code == KEY_ENTER || code == KEY_KPENTER {
            let line = std::mem::take(&mut self.line);
            return (!line.is_empty()).then_some(line);
        }
        if let Some((plain, shifted)) = key_char(code)
            && self.line.len() < MAX_LINE
        {
            self.line.push(if self.shift { shifted } else { plain });
        }
        None
    }
}

/// Parse one raw `input_event` record into (type, code, value).
pub fn parse_event(record: &[u8; EVENT_SIZE]) -> (u16, u16, i32) {
    let kind = u16::from_le_bytes([record[16], record[17]]);
    let code = u16::from_le_bytes([record[18], record[19]]);
    let value = i32::from_le_bytes([record[20], record[21], record[22], record[23]]);
    (kind, code, value)
}

/// Read events from `input` until it ends or fails, sending each completed line.
pub async fn read_lines(
    mut input: impl AsyncRead + Unpin,
    lines: &mpsc::UnboundedSender<String>,
) -> std::io::Result<()> {
    let mut decoder = KeyDecoder::default();
    let mut record = [0u8; EVENT_SIZE];
    loop {
        input.read_exact(&mut record).await?;
        let (kind, code, value) = parse_event(&record);
        if let Some(line) = decoder.feed(kind, code, value) {
            info!(token = %mask::token(&line), "USB scanner read a code");
            if lines.send(line).is_err() {
                return Ok(());
            }
        }
    }
}

/// How the scanner's device was opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Hold {
    /// An input device, grabbed (EVIOCGRAB): its keystrokes reach only the kiosk, not the
    /// console or a desktop session a scanned code could type into.
    Grabbed,
    /// An input device another program has grabbed (EBUSY), or one that refused the grab: read
    /// anyway, and logged, because its keystrokes also go elsewhere (or not to us).
    NotGrabbed(String),
    /// Not an input device (a FIFO in the demo or the tests): nothing to grab.
    NotAnInputDevice,
}

/// Open the scanner's device and grab it. The returned `evdev::Device` shares the open file
/// with the reader (a `dup`), so the grab lasts as long as both live; dropping them ends it.
pub fn open_grabbed(
    path: &std::path::Path,
) -> std::io::Result<(std::fs::File, Option<evdev::Device>, Hold)> {
    let file = std::fs::File::open(path)?;
    let shared = file.try_clone()?;
    match evdev::Device::from_fd(shared.into()) {
        Ok(mut device) => {
            let hold = match device.grab() {
                Ok(()) => Hold::Grabbed,
                Err(e) => Hold::NotGrabbed(e.to_string()),
            };
            Ok((file, Some(device), hold))
        }
        // ENOTTY (or EINVAL): the input ioctls do not apply to this file.
        Err(_) => Ok((file, None, Hold::NotAnInputDevice)),
    }
}

/// Keep reading the configured device; when it goes away (unplugged), try again every 2 s.
pub async fn run(cfg: ScannerConfig, lines: mpsc::UnboundedSender<String>) {
    if cfg.device.as_os_str().is_empty() {
        return;
    }
    let device = cfg.device.clone();
    let mut reported = false;
    while !lines.is_closed() {
        // Opening a FIFO blocks until a writer comes: off the runtime's threads.
        let path = device.clone();
        let opened = tokio::task::spawn_blocking(move || open_grabbed(&path))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        match opened {
            Ok((file, _grab, hold)) => {
                match &hold {
                    Hold::Grabbed => {
                        info!(device = %device.display(), "USB scanner opened and grabbed")
                    }
                    Hold::NotGrabbed(why) => warn!(
                        device = %device.display(),
                        error = %why,
                        "USB scanner opened but not grabbed: another program may see (or take) its codes"
                    ),
                    Hold::NotAnInputDevice => {
                        info!(device = %device.display(), "USB scanner opened (not an input device: nothing to grab)")
                    }
                }
                reported = false;
                if let Err(e) = read_lines(tokio::fs::File::from_std(file), &lines).await {
                    warn!(device = %device.display(), error = %e, "USB scanner stopped");
                }
            }
            Err(e) if !reported => {
                warn!(device = %device.display(), error = %e, "USB scanner not available; retrying");
                reported = true;
            }
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The records a keyboard-wedge scanner sends for `text` followed by Enter (US layout): a
/// simulated scanner for demos and tests. Characters a US keyboard cannot type are skipped.
pub fn typed(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut push = |kind: u16, code: u16, value: i32| {
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&code.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
        out.extend_from_slice(&[0u8; 16]); // EV_SYN report
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes());
    };
    for c in text.chars() {
        let (code, shift) = (0..=60u16)
            .find_map(|k| {
                key_char(k).and_then(|(p, s)| {
                    (p == c)
                        .then_some((k, false))
                        .or((s == c).then_some((k, true)))
                })
            })
            .expect("typeable");
        if shift {
            push(EV_KEY, KEY_LEFTSHIFT, 1);
        }
        push(EV_KEY, code, 1);
        push(EV_KEY, code, 0);
        if shift {
            push(EV_KEY, KEY_LEFTSHIFT, 0);
        }
    }
    push(EV_KEY, KEY_ENTER, 1);
    push(EV_KEY, KEY_ENTER, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scanned_code_arrives_as_one_line() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut bytes = typed("GPK1.DEMO-ZHANG-WEISAN-0001");
        bytes.extend(typed("https://my.chsi.com.cn/x?a=1&b=Q_2"));
        read_lines(&bytes[..], &tx).await.unwrap_err(); // ends with EOF
        assert_eq!(rx.recv().await.unwrap(), "GPK1.DEMO-ZHANG-WEISAN-0001");
        assert_eq!(
            rx.recv().await.unwrap(),
            "https://my.chsi.com.cn/x?a=1&b=Q_2"
        );
    }

    #[tokio::test]
    async fn the_device_path_is_read_like_a_device() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("event-kbd");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let (tx, mut rx) = mpsc::unbounded_channel();
        let reader = tokio::spawn(run(
            ScannerConfig {
                device: fifo.clone(),
            },
            tx,
        ));
        let mut writer = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&fifo)
            .await
            .unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut writer, &typed("GPK1.FROM-A-USB-SCANNER-01"))
            .await
            .unwrap();
        assert_eq!(rx.recv().await.unwrap(), "GPK1.FROM-A-USB-SCANNER-01");
        reader.abort();
    }

    /// A file that is not an input device opens without a grab (and says so); the ioctls are
    /// tried, not assumed. (A real grab needs an input device: none exists on a build machine
    /// without `/dev/uinput`; on the booth the kiosk logs "USB scanner opened and grabbed".)
    #[test]
    fn a_file_that_is_not_an_input_device_is_read_without_a_grab() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events");
        std::fs::write(&path, typed("X")).unwrap();
        let (_, device, hold) = open_grabbed(&path).unwrap();
        assert!(device.is_none());
        assert_eq!(hold, Hold::NotAnInputDevice);
        let missing = open_grabbed(&dir.path().join("none")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    /// A real input device (a virtual keyboard through `/dev/uinput`, as a USB scanner appears):
    /// the kiosk's grab holds it alone, another program's grab is refused (EBUSY) while the
    /// kiosk holds it and succeeds once the kiosk lets go. Without the grab the second grab
    /// would succeed at once. Needs `/dev/uinput` (the `uinput` kernel module) and a device
    /// node for it (udev, or devtmpfs); where either is missing the test says so and passes,
    /// since nothing can be grabbed there.
    #[test]
    fn a_real_input_device_is_grabbed_and_no_one_else_can_take_it() {
        use evdev::uinput::VirtualDevice;
        use evdev::{AttributeSet, KeyCode};
        if !std::path::Path::new("/dev/uinput").exists() {
            eprintln!("skipped: no /dev/uinput on this machine (the uinput kernel module)");
            return;
        }
        let mut keys = AttributeSet::<KeyCode>::new();
        for key in [KeyCode::KEY_A, KeyCode::KEY_1, KeyCode::KEY_ENTER] {
            keys.insert(key);
        }
        let mut scanner = VirtualDevice::builder()
            .and_then(|b| b.name("kiosk test scanner").with_keys(&keys))
            .and_then(|b| b.build())
            .expect("a virtual keyboard through /dev/uinput");
        let node = scanner
            .enumerate_dev_nodes_blocking()
            .unwrap()
            .filter_map(Result::ok)
            .find(|p| p.exists());
        let Some(node) = node else {
            eprintln!("skipped: the virtual keyboard has no device node under /dev/input");
            return;
        };
        let (file, device, hold) = open_grabbed(&node).unwrap();
        assert_eq!(hold, Hold::Grabbed, "{}", node.display());
        let mut other = evdev::Device::open(&node).unwrap();
        let refused = other
            .grab()
            .expect_err("a second grab while the kiosk holds it");
        assert_eq!(refused.raw_os_error(), Some(16), "EBUSY: {refused}");
        drop((file, device));
        other
            .grab()
            .expect("the device is free once the kiosk lets go");
    }

    #[test]
    fn stray_keys_and_releases_type_nothing() {
        let mut d = KeyDecoder::default();
        assert_eq!(
            d.feed(EV_KEY, KEY_ENTER, 1),
            None,
            "an empty line is not a code"
        );
        assert_eq!(d.feed(4, 4, 458_756), None, "EV_MSC scan codes are ignored");
        assert_eq!(d.feed(EV_KEY, 30, 0), None);
        d.feed(EV_KEY, 30, 1);
        d.feed(EV_KEY, 105, 1); // arrow key: no character
        assert_eq!(d.feed(EV_KEY, KEY_KPENTER, 1).as_deref(), Some("a"));
    }
}
