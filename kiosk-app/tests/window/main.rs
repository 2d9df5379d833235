//! `kiosk demo` in a real window. On a virtual X display (Xvfb) the test touches its way through a
//! whole session with the X pointer, as a graduate's finger would: each button is found by its
//! accessible label (through Slint's introspection server, built in with the `ui-introspection`
//! feature, which scripts/test.sh turns on), and the click goes through X, winit and Slint to the
//! runtime. On the confirm screen it reads the window's pixels from the X server and compares
//! them with the headless render of the same screen: the window shows what the walkthrough's
//! PNGs show.
//!
//! Needs `Xvfb` and `xdotool` (scripts/install-deps.sh).

mod introspection;
mod x;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiosk_app::config::Config;
use kiosk_core::model::ScreenModel;
use serde_json::Value;

use introspection::{Introspection, Window};
use x::{XScreen, start_xvfb};

/// The booth's panel, landscape.
const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines a child writes, read on a thread of their own so that waiting for one has a timeout.
fn lines(from: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A free loopback port for the introspection server.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The demo's configuration, quick: short review and payment, silent.
fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let mut cfg = Config::default();
    cfg.kiosk.data_dir = dir.join("data");
    cfg.flow.countdown_secs = 1;
    cfg.flow.review_poll_secs = 1;
    cfg.flow.payment_poll_secs = 1;
    cfg.camera.sim_capture_size = (1500, 1000);
    cfg.service.sim.review_ms = 500;
    cfg.service.sim.auto_pay_ms = Some(500);
    cfg.voice.enabled = false;
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, toml::to_string(&cfg).unwrap()).unwrap();
    path
}

/// The kiosk's screens as it prints them, once set.
struct Screens {
    rx: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Screens {
    /// Wait for the screen `key` (any key starting with it), passing others by.
    fn wait_for(&mut self, key: &str, log: &Log) -> ScreenModel {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.rx.recv_timeout(left) else {
                panic!(
                    "no screen `{key}` within 90 s; screens seen: {:?}\nkiosk's log:\n{}",
                    self.seen,
                    log.tail()
                );
            };
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("a screen line that is not JSON ({e}): {line}"));
            let got = v["key"].as_str().unwrap_or_default().to_owned();
            if self.seen.last() != Some(&got) {
                self.seen.push(got.clone());
            }
            if got.starts_with(key) {
                return serde_json::from_value(v["screen"].clone()).unwrap();
            }
        }
    }
}

/// The kiosk's stderr, kept for failure messages.
struct Log(mpsc::Receiver<String>, std::cell::RefCell<Vec<String>>);

impl Log {
    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.1.borrow_mut().push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("the kiosk never said `{needle}`:\n{}", self.tail()),
            }
        }
    }

    fn tail(&self) -> String {
        self.1.borrow_mut().extend(self.0.try_iter());
        let all = self.1.borrow();
        all[all.len().saturating_sub(40)..].join("\n")
    }
}

/// Touch the one visible button labelled `label` with the X pointer.
fn touch(display: &str, ui: &Introspection, label: &str) {
    let window = ui.window();
    let mut found = ui.buttons(&window, label);
    // A button's parts (its touch area, its text) carry its label too: one place to touch.
    found.dedup_by(|a, b| (a.x, a.y, a.w, a.h) == (b.x, b.y, b.w, b.h));
    assert_eq!(found.len(), 1, "one visible button `{label}`: {found:?}");
    let r = found[0];
    let (x, y) = ((r.x + r.w / 2.0).round(), (r.y + r.h / 2.0).round());
    let status = Command::new("xdotool")
        .env("DISPLAY", display)
        .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
        .status()
        .expect("xdotool (apt-get install xdotool)");
    assert!(status.success(), "xdotool clicking `{label}` at {x},{y}");
}

/// These screens drawn by the headless renderer the walkthrough uses (installed once: call once).
fn headless_renders(cfg: &Config, models: &[&ScreenModel]) -> Vec<image::RgbImage> {
    let screen = kiosk_ui::headless::install(WIDTH, HEIGHT).unwrap();
    let ui = kiosk_ui::Ui::new().unwrap();
    ui.set_portrait(false);
    ui.set_kiosk_mode(false);
    ui.set_eye_guide(cfg.photo.eye_guide);
    ui.set_notice(&cfg.notice);
    screen.show(ui.window()).unwrap();
    models
        .iter()
        .map(|m| {
            ui.render(m);
            screen.snapshot()
        })
        .collect()
}

/// At most this share of pixels may differ between the window and the headless render.
const TOLERANCE: f64 = 0.002;

/// Share of pixels where any channel differs by more than 32 of 255.
fn differing(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let n = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| p.0.iter().zip(q.0).any(|(x, y)| x.abs_diff(y) > 32))
        .count();
    n as f64 / f64::from(a.width() * a.height())
}

#[test]
fn a_whole_session_touched_through_the_window_by_accessible_label() {
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = config(dir.path());
    let cfg = Config::load(&cfg_path).unwrap();
    let (_xvfb, display) = start_xvfb();
    let x = XScreen::open(&display);
    let port = free_port();
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(&cfg_path)
        .args(["demo", "--print-screens"])
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("WINIT_X11_SCALE_FACTOR", "1")
        .env("SLINT_MCP_PORT", port.to_string())
        .env("KIOSK_SIM_SITTING_SEED", "7")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut screens = Screens {
        rx: lines(kiosk.stdout.take().unwrap()),
        seen: Vec::new(),
    };
    let log = Log(lines(kiosk.stderr.take().unwrap()), Default::default());
    let _kiosk = Killed(kiosk);
    log.wait_for("Slint MCP server listening");
    let ui = Introspection::new(port);
    screens.wait_for("attract", &log);
    let window = x.wait_for_window(&ui);
    assert_eq!(
        (window.at.w, window.at.h, window.scale),
        (f64::from(WIDTH), f64::from(HEIGHT), 1.0),
        "the window at the panel's size, unscaled"
    );
    touch(&display, &ui, "开始拍照");

    // The rest of the session, touch by touch, as the walkthrough's happy path (the simulated
    // graduate holds up their code and works the seat button; the test is their finger).
    let steps: &[(&str, Option<&str>)] = &[
        ("photo-type", Some("高等院校毕业生照")),
        ("prepare", Some("准备拍摄")),
        ("confirm", None),
        ("lighting", Some("不戴眼镜（推荐）")),
        ("rules", Some("我已了解，继续")),
        ("chair-good", Some("坐好了，去拍照")),
        ("shoot-ready", Some("开始拍摄")),
        ("shoot-preview", Some("使用这张照片")),
        ("pay-showing", None),
        ("done", Some("完成")),
        ("attract", None),
    ];
    for &(key, label) in steps {
        let model = screens.wait_for(key, &log);
        if key == "confirm" {
            compare_with_headless(&x, &window, &cfg, &model);
            touch(&display, &ui, "确认无误");
        } else if let Some(label) = label {
            touch(&display, &ui, label);
        }
    }
    let seen = screens.seen.join(" → ");
    for through in ["scan", "review", "pay-showing", "done"] {
        assert!(
            seen.contains(through),
            "the session went through `{through}`: {seen}"
        );
    }
}

/// The window comes to show what the headless renderer draws for the same screen model (the
/// screen's line is printed before the frame is presented, so the test waits for the window
/// to be drawn); a render of another screen does not pass for it (the comparison can fail).
fn compare_with_headless(x: &XScreen, window: &Window, cfg: &Config, model: &ScreenModel) {
    let other = ScreenModel {
        screen: kiosk_core::model::Screen::Lighting,
        ..model.clone()
    };
    let [drawn, other] = <[_; 2]>::try_from(headless_renders(cfg, &[model, &other])).unwrap();
    let (shot, diff) = x.wait_to_show(window.at, &drawn, TOLERANCE);
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("window");
    std::fs::create_dir_all(&out).unwrap();
    shot.save(out.join("confirm-window.png")).unwrap();
    drawn.save(out.join("confirm-headless.png")).unwrap();
    println!(
        "confirm screen: {:.3} % of pixels differ between the window and the headless render (both in {})",
        diff * 100.0,
        out.display()
    );
    assert!(
        diff < TOLERANCE,
        "the window differs from the headless render in {:.2} % of its pixels (see {})",
        diff * 100.0,
        out.display()
    );
    let unlike = differing(&shot, &other);
    assert!(
        unlike > 10.0 * TOLERANCE,
        "the comparison cannot tell the confirm screen from the lighting screen ({:.2} %)",
        unlike * 100.0
    );
}
