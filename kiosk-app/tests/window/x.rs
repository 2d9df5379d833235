//! The X side: an Xvfb of the test's own, and the display's pixels with DAMAGE events to wait
//! for the kiosk's window to be drawn.

use std::process::{Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::rust_connection::RustConnection;

use super::introspection::{Introspection, Rect, Window};
use super::{HEIGHT, Killed, WIDTH, differing, lines};

/// An X server of its own (`-displayfd`: it picks a free display and says which once it
/// accepts connections).
pub(crate) fn start_xvfb() -> (Killed, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-noreset",
            "-screen",
            "0",
        ])
        .arg(format!("{WIDTH}x{HEIGHT}x24"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (apt-get install xvfb; scripts/install-deps.sh installs it)");
    let out = lines(child.stdout.take().unwrap());
    let child = Killed(child);
    let number = out
        .recv_timeout(Duration::from_secs(30))
        .expect("Xvfb did not say which display it opened");
    (child, format!(":{}", number.trim()))
}

/// The X display: its pixels, and a DAMAGE object on the root window that says when anything
/// on it (the kiosk's window) is drawn again.
pub(crate) struct XScreen {
    conn: Arc<RustConnection>,
    root: u32,
    damage: u32,
    drawn: mpsc::Receiver<()>,
}

impl XScreen {
    pub(crate) fn open(display: &str) -> Self {
        let (conn, screen) = x11rb::connect(Some(display)).unwrap();
        let root = conn.setup().roots[screen].root;
        conn.damage_query_version(1, 1).unwrap().reply().unwrap();
        let damage = conn.generate_id().unwrap();
        conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)
            .unwrap();
        conn.flush().unwrap();
        let conn = Arc::new(conn);
        let (tx, drawn) = mpsc::channel();
        let events = conn.clone();
        std::thread::spawn(move || {
            while let Ok(event) = events.wait_for_event() {
                if matches!(event, Event::DamageNotify(_)) && tx.send(()).is_err() {
                    break;
                }
            }
        });
        Self {
            conn,
            root,
            damage,
            drawn,
        }
    }

    /// The kiosk's window once it has been drawn at its size (winit sizes it after it is made:
    /// ask again after each drawing).
    pub(crate) fn wait_for_window(&self, ui: &Introspection) -> Window {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.rearm();
            let window = ui.window();
            if window.at.w * window.at.h > 0.0 {
                return window;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            self.drawn
                .recv_timeout(left)
                .expect("the kiosk's window drawn at a size within 30 s");
        }
    }

    /// Damage from here on is drawing newer than what was looked at after this.
    fn rearm(&self) {
        self.conn
            .damage_subtract(self.damage, x11rb::NONE, x11rb::NONE)
            .unwrap();
        self.conn.flush().unwrap();
        while self.drawn.try_recv().is_ok() {}
    }

    /// What the X server shows in `at` now.
    pub(crate) fn pixels(&self, at: Rect) -> image::RgbImage {
        let (width, height) = (at.w as u32, at.h as u32);
        let image = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                at.x as i16,
                at.y as i16,
                width as u16,
                height as u16,
                !0,
            )
            .unwrap()
            .reply()
            .unwrap();
        // Depth 24 (or 32, winit's visual with alpha) is 32 bits per pixel on Xvfb: B G R X in
        // memory on this (little-endian) machine.
        assert!(
            [24, 32].contains(&image.depth) && image.data.len() == (4 * width * height) as usize,
            "32 bits per pixel (depth {})",
            image.depth
        );
        let rgb = image.data.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0]]);
        image::RgbImage::from_raw(width, height, rgb.collect()).unwrap()
    }

    /// Wait until the window shows `want` (within `differing` < `tolerance`): look, and if it
    /// does not, wait for the window to be drawn again and look again. The last look and how
    /// much of it differed.
    pub(crate) fn wait_to_show(
        &self,
        at: Rect,
        want: &image::RgbImage,
        tolerance: f64,
    ) -> (image::RgbImage, f64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.rearm();
            let shot = self.pixels(at);
            let diff = differing(&shot, want);
            let left = deadline.saturating_duration_since(Instant::now());
            if diff < tolerance || self.drawn.recv_timeout(left).is_err() {
                return (shot, diff);
            }
        }
    }
}
