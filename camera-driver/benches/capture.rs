//! Capture-to-bytes latency on real libgphoto2 (its virtual USB camera, the test fixture built
//! by `scripts/build-vcamera.sh`), three ways in one run:
//!
//! - the raw library: `gphoto2` crate calls (capture, download into memory, delete), no driver;
//! - the kiosk's driver: `CameraActor::capture()` (camera thread, channels, timeouts);
//! - the command-line tool: `gphoto2 --capture-image-and-download` spawned per shot.
//!
//! The virtual camera has no live view, so live view is measured on the simulated camera
//! through the same actor (frames per second delivered and the driver's CPU per frame), with
//! no CLI peer (the UI's decode-and-draw budget is in `cargo bench -p kiosk-e2e --bench ui_frames`).
//!
//! `cargo bench -p camera-driver --features gphoto2 --bench capture`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use camera_driver::sim::{SimCamera, SimConfig, SimControl};
use camera_driver::{ActorConfig, Camera, CameraActor, GphotoCamera, Health, Selector};

const SHOTS: usize = 20;
const CLI_SHOTS: usize = 10;

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 9 / 10).min(v.len() - 1)]),
    )
}

fn prefix() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/vcamera/prefix");
    assert!(
        p.join("lib/libgphoto2.so.6").exists(),
        "build the fixture first: scripts/build-vcamera.sh"
    );
    p
}

fn main() {
    if std::env::var_os("KIOSK_VCAMERA_CHILD").is_none() {
        // libgphoto2 reads its driver paths when it loads: run the measurement in a child
        // process that sees the fixture.
        let prefix = prefix();
        let dir = tempfile::tempdir().unwrap();
        let card = dir.path().join("DCIM/100NIKON");
        std::fs::create_dir_all(&card).unwrap();
        // A full-size photo as the booth's DSLR would make it.
        let mut cam = SimCamera::new(
            SimControl::new(),
            SimConfig {
                capture_size: (6000, 4000),
                capture_latency: Duration::ZERO,
                ..SimConfig::default()
            },
        );
        std::fs::write(card.join("DSC_0001.JPG"), cam.capture().unwrap()).unwrap();
        let status = Command::new(std::env::current_exe().unwrap())
            .env("LD_LIBRARY_PATH", prefix.join("lib"))
            .env("IOLIBS", prefix.join("lib/libgphoto2_port/0.12.1"))
            .env("CAMLIBS", prefix.join("lib/libgphoto2/2.5.30"))
            .env("VCAMERADIR", dir.path())
            .env("VCAMERA_CAPTURES_LEFT", "70")
            .env("KIOSK_VCAMERA_CHILD", "1")
            .env("KIOSK_BENCH_TMP", dir.path())
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    let tmp = PathBuf::from(std::env::var("KIOSK_BENCH_TMP").unwrap());
    let photo_kb = std::fs::metadata(tmp.join("DCIM/100NIKON/DSC_0001.JPG"))
        .unwrap()
        .len()
        / 1024;

    // 1. The raw library, through the gphoto2 crate.
    let context = gphoto2::Context::new().unwrap();
    let camera = context.autodetect_camera().wait().unwrap();
    let mut raw = Vec::new();
    for _ in 0..SHOTS {
        let t = Instant::now();
        let path = camera.capture_image().wait().unwrap();
        let fs = camera.fs();
        let file = fs.download(&path.folder(), &path.name()).wait().unwrap();
        let data = file.get_data(&context).wait().unwrap();
        fs.delete_file(&path.folder(), &path.name()).wait().unwrap();
        raw.push(t.elapsed());
        assert!(data.len() > 1000);
    }
    drop(camera);

    // 2. The kiosk's driver: the camera thread behind async calls.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut driver = Vec::new();
    rt.block_on(async {
        let actor = CameraActor::spawn(
            Box::new(|| {
                GphotoCamera::open(&Selector::default()).map(|c| Box::new(c) as Box<dyn Camera>)
            }),
            ActorConfig::default(),
        );
        let mut health = actor.health();
        health
            .wait_for(|h| matches!(h, Health::Connected(_)))
            .await
            .unwrap();
        for _ in 0..SHOTS {
            let t = Instant::now();
            let jpeg = actor.capture().await.unwrap();
            driver.push(t.elapsed());
            assert!(jpeg.len() > 1000);
        }
    });

    // 3. The command-line tool, one process per shot, as a shell-script booth would.
    let mut cli = Vec::new();
    let out = tmp.join("cli.jpg");
    for _ in 0..CLI_SHOTS {
        let t = Instant::now();
        let status = Command::new("gphoto2")
            .args([
                "--quiet",
                "--capture-image-and-download",
                "--force-overwrite",
                "--filename",
            ])
            .arg(&out)
            .current_dir(&tmp)
            .output()
            .expect("gphoto2 CLI (apt install gphoto2)");
        cli.push(t.elapsed());
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }

    let (rm, rp) = stats(raw);
    let (dm, dp) = stats(driver);
    let (cm, cp) = stats(cli);
    println!(
        "Capture to bytes, libgphoto2 2.5.30 virtual USB camera (Nikon D750 emulation), {photo_kb} KiB JPEG per shot"
    );
    println!("| path | shots | median ms | p90 ms | vs raw library |");
    println!("|---|---|---|---|---|");
    println!("| raw library (gphoto2 crate calls) | {SHOTS} | {rm:.2} | {rp:.2} | 1.00× |");
    println!(
        "| kiosk driver (CameraActor::capture) | {SHOTS} | {dm:.2} | {dp:.2} | {:.2}× |",
        dm / rm
    );
    println!(
        "| gphoto2 CLI --capture-image-and-download | {CLI_SHOTS} | {cm:.2} | {cp:.2} | {:.2}× |",
        cm / rm
    );
    println!(
        "driver overhead over the library: {:+.2} ms median; the CLI takes {:.1}× the driver's time",
        dm - rm,
        cm / dm
    );

    // Live view through the actor, simulated camera (960 × 640 JPEG frames), paced at a DSLR's
    // 30 frames per second: what the driver costs per frame delivered.
    rt.block_on(async {
        let control = SimControl::new();
        let actor = CameraActor::spawn(
            control.opener(SimConfig {
                preview_size: (960, 640),
                ..SimConfig::default()
            }),
            ActorConfig {
                preview_interval: Duration::from_millis(33),
                ..ActorConfig::default()
            },
        );
        let mut health = actor.health();
        health
            .wait_for(|h| matches!(h, Health::Connected(_)))
            .await
            .unwrap();
        let mut frames = actor.frames();
        actor.live_view(true);
        frames.changed().await.unwrap();
        let first = frames.borrow_and_update().as_ref().map_or(0, |f| f.seq);
        let (cpu0, t0) = (cpu_ms(), Instant::now());
        tokio::time::sleep(Duration::from_secs(3)).await;
        let last = frames.borrow().as_ref().map_or(0, |f| f.seq);
        let (cpu, secs) = (cpu_ms() - cpu0, t0.elapsed().as_secs_f64());
        let n = (last - first) as f64;
        // /proc counts CPU in 10 ms ticks: below one tick, say so.
        let per_frame = if cpu > 0.0 {
            format!("{:.3} ms", cpu / n)
        } else {
            format!("under {:.2} ms (no 10 ms tick used in {n} frames)", 10.0 / n)
        };
        println!(
            "live view through the driver (simulated camera, 960×640, paced at 33 ms): {:.1} frames/s delivered, CPU per frame {per_frame} (whole process, incl. the simulator)",
            n / secs
        );
        actor.live_view(false);
    });
}

/// CPU time this process has used, ms (user + system, from /proc).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks * 10.0 // USER_HZ is 100 on Linux
}
