//! `kiosk demo` in a real window. On a virtual X display (Xvfb) the test touches its way through a
//! whole session with the X pointer, as a graduate's finger would: each button is found by its
//! accessible label (through Slint's introspection server, built in with the `ui-introspection`
//! feature, which scripts/test.sh turns on), and the click goes through X, winit and Slint to the
//! runtime. On the confirm screen it reads the window's pixels from the X server and compares
//! them with the headless render of the same screen: the window shows what the walkthrough's
//! PNGs show.
//!
//! Needs `Xvfb` and `xdotool` (scripts/install-deps.sh).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use kiosk_app::config::Config;
use kiosk_core::model::ScreenModel;
use serde_json::{Value, json};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::rust_connection::RustConnection;

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

/// An X server of its own (`-displayfd`: it picks a free display and says which once it
/// accepts connections).
fn start_xvfb() -> (Killed, String) {
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

/// A client of Slint's introspection server (MCP's JSON-RPC over HTTP) in the kiosk.
struct Introspection {
    http: reqwest::Client,
    url: String,
    rt: tokio::runtime::Runtime,
}

/// An element's place on the X screen, physical pixels.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The window: where it is and its root element.
struct Window {
    at: Rect,
    scale: f64,
    root: Value,
}

fn number(v: &Value) -> f64 {
    // Protobuf's JSON leaves zero fields out.
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

impl Introspection {
    fn new(port: u16) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!("http://127.0.0.1:{port}/mcp"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// One tool call; its JSON answer.
    fn call(&self, tool: &str, arguments: Value) -> Value {
        let request = json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": { "name": tool, "arguments": arguments },
        });
        let reply: Value = self.rt.block_on(async {
            let response = self
                .http
                .post(&self.url)
                .json(&request)
                .timeout(Duration::from_secs(20))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{tool}: {e}"));
            response.json().await.unwrap()
        });
        let result = &reply["result"];
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        assert!(
            result["isError"] != json!(true),
            "{tool} {arguments}: {text}"
        );
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{tool}: {e}: {text}"))
    }

    fn window(&self) -> Window {
        let windows = self.call("list_windows", json!({}));
        let handles = windows["windowHandles"].as_array().expect("window handles");
        assert_eq!(handles.len(), 1, "one window: {windows}");
        let p = self.call(
            "get_window_properties",
            json!({ "windowHandle": handles[0] }),
        );
        Window {
            at: Rect {
                x: number(&p["position"]["x"]),
                y: number(&p["position"]["y"]),
                w: number(&p["size"]["width"]),
                h: number(&p["size"]["height"]),
            },
            scale: number(&p["scaleFactor"]),
            root: p["rootElementHandle"].clone(),
        }
    }

    /// The visible buttons labelled `label`, on the X screen.
    fn buttons(&self, window: &Window, label: &str) -> Vec<Rect> {
        let found = self.call(
            "query_element_descendants",
            json!({
                "elementHandle": window.root,
                "queryStack": [{ "matchDescendants": true }, { "matchElementAccessibleRole": "Button" }],
                "findAll": true,
            }),
        );
        let mut out = Vec::new();
        for handle in found["elementHandles"].as_array().into_iter().flatten() {
            let p = self.call("get_element_properties", json!({ "elementHandle": handle }));
            let (w, h) = (number(&p["size"]["width"]), number(&p["size"]["height"]));
            if p["accessibleLabel"] != label || number(&p["computedOpacity"]) <= 0.0 || w * h <= 0.0
            {
                continue;
            }
            out.push(Rect {
                x: window.at.x + number(&p["absolutePosition"]["x"]) * window.scale,
                y: window.at.y + number(&p["absolutePosition"]["y"]) * window.scale,
                w: w * window.scale,
                h: h * window.scale,
            });
        }
        out
    }
}

/// The kiosk's screens as it prints them, once drawn.
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

/// The X display: its pixels, and a DAMAGE object on the root window that says when anything
/// on it (the kiosk's window) is drawn again.
struct XScreen {
    conn: Arc<RustConnection>,
    root: u32,
    damage: u32,
    drawn: mpsc::Receiver<()>,
}

impl XScreen {
    fn open(display: &str) -> Self {
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
    fn wait_for_window(&self, ui: &Introspection) -> Window {
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
    fn pixels(&self, at: Rect) -> image::RgbImage {
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
    fn wait_to_show(
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
