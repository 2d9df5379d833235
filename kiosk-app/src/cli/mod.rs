//! The command line: `kiosk demo`, `kiosk walkthrough`, `kiosk config check`, `kiosk qr decode`,
//! `kiosk sim-serial`, and the technician's `kiosk lights` / `kiosk chair`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Backend, Config};
use crate::{qr, walkthrough};
use kiosk_ops::telemetry;

/// Self-service graduate photo kiosk.
#[derive(Parser)]
#[command(name = "kiosk", version, about)]
struct Cli {
    /// Configuration file (TOML). Without one, demo mode.
    #[arg(long, short, global = true, env = "KIOSK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Demo mode: the touchscreen in a window when there is a display (and the binary was
    /// built with the `window` feature); otherwise the headless walkthrough into --out.
    Demo {
        /// Where the walkthrough writes when there is no display.
        #[arg(long, default_value = "walkthrough")]
        out: PathBuf,
        /// In the window: print every screen, once set, as a JSON line on stdout (as `kiosk
        /// headless` does), for scripts and the window test.
        #[arg(long)]
        print_screens: bool,
    },
    /// Production: the kiosk fullscreen on the booth's display, devices and service from the
    /// config file.
    Run,
    /// The kiosk without a display: intents as JSON lines on stdin, every screen as a JSON line
    /// on stdout (crash-recovery tests, scripted rehearsals).
    Headless,
    /// One scripted session rendered to PNGs and report.json, without a display.
    Walkthrough {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Render for a 1080 × 1920 portrait screen (overrides `display.orientation`).
        #[arg(long)]
        portrait: bool,
    },
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// QR tools.
    #[command(subcommand)]
    Qr(QrCmd),
    /// Photo tools.
    #[command(subcommand)]
    Photo(PhotoCmd),
    /// Check every part of the booth (configuration, camera, test shot, lights, seat travel,
    /// serial port, scanner, service, TLS, clock, disk, fonts, journal, permissions), each
    /// pass / warn / fail with what to do; exits non-zero when any fails.
    Doctor {
        /// One JSON object per check instead of text.
        #[arg(long)]
        json: bool,
        /// No test shot and no seat movement (a graduate is in the booth).
        #[arg(long)]
        quick: bool,
    },
    /// Run the lights/chair simulator on a pseudo-terminal and print its path.
    SimSerial,
    /// Light controller (technician).
    #[command(subcommand)]
    Lights(LightsCmd),
    /// Chair controller (technician).
    #[command(subcommand)]
    Chair(ChairCmd),
    /// The camera (technician): the configured backend, through the same driver the kiosk uses.
    #[command(subcommand)]
    Camera(CameraCmd),
    /// The technician PIN that opens maintenance mode on the touchscreen.
    #[command(subcommand)]
    ServicePin(ServicePinCmd),
    /// The collection-service simulator as an HTTP server on loopback.
    #[command(subcommand)]
    SimService(SimServiceCmd),
    /// What the logs say (operators).
    #[command(subcommand)]
    Logs(LogsCmd),
    /// Voice guidance's prompts.
    #[command(subcommand)]
    Voice(VoiceCmd),
}

#[derive(Subcommand)]
enum VoiceCmd {
    /// Speak every prompt in Chinese and English with espeak-ng into WAV files (set-up time;
    /// the kiosk plays them from `voice.dir`).
    Build {
        /// Where to put them (default: the config's `voice.dir`).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Logging as `[logging]` says, into `log` (the configured file).
fn start_logging(
    cfg: &Config,
    log: &std::path::Path,
) -> anyhow::Result<Option<tracing_appender::non_blocking::WorkerGuard>> {
    telemetry::init(
        &cfg.logging.level,
        Some(telemetry::LogFiles {
            path: log,
            keep_days: cfg.logging.keep_days,
            max_bytes: cfg.logging.max_file_mb.saturating_mul(1 << 20),
        }),
    )
}

#[derive(Subcommand)]
enum LogsCmd {
    /// Sessions, the funnel per step, step times, shots, reviews, payments and faults, from the
    /// JSON log files (rotated and .gz too). Per kiosk, and for all when there are several.
    Summary {
        /// From this date or time (2026-06-01, or RFC 3339), inclusive.
        #[arg(long)]
        since: Option<String>,
        /// Up to this date or time, exclusive.
        #[arg(long)]
        until: Option<String>,
        /// A directory of log files (repeat for a fleet's shipped logs); default: this kiosk's
        /// (where `logging.json_file` is).
        #[arg(long)]
        dir: Vec<PathBuf>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CameraCmd {
    /// Cameras libgphoto2 sees on USB now (model and port, for camera.model / camera.port).
    List,
    /// Open the configured camera: model, port, power and the settings that matter for a shot.
    Info,
    /// All settings (no KEY), one setting (KEY), or set one (KEY VALUE; prints what the camera
    /// accepted).
    Config {
        /// libgphoto2 setting name, e.g. iso, f-number, shutterspeed, capturetarget.
        key: Option<String>,
        /// New value (one of the camera's choices).
        value: Option<String>,
    },
    /// Take a full-resolution photo into FILE.
    Shoot {
        /// Where to write the JPEG.
        #[arg(long)]
        out: PathBuf,
    },
    /// Take one live-view frame into FILE.
    Preview {
        /// Where to write the JPEG.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum SimServiceCmd {
    /// Serve the API of docs/api/collection-service.openapi.json on 127.0.0.1 until stopped;
    /// prints the URL for `service.url`. Requests must be signed with the credential in
    /// `service.credential_path` for `kiosk.id`.
    Serve {
        /// Port (0: any free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep the simulator's state (codes, shots, submissions, orders) in this SQLite file
        /// across restarts; in memory without it.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Pay ORDER as WeChat's notification would (idempotent, like the real one arriving twice).
    Pay {
        /// The simulator's URL as `serve` printed it.
        #[arg(long)]
        url: String,
        /// Order id.
        order: String,
    },
}

#[derive(Subcommand)]
enum ServicePinCmd {
    /// Read a PIN (4 to 8 digits) from standard input and print the `[service_mode]` line with
    /// its Argon2id hash for the config file. The PIN is not an argument, so it stays out of
    /// the shell's history and the process list.
    Hash,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Validate a file without starting anything.
    Check {
        /// The file.
        file: PathBuf,
    },
    /// Print the default configuration (demo mode) as TOML.
    Default,
}

#[derive(Subcommand)]
enum PhotoCmd {
    /// Make the 480 × 640 CHSI photo from a capture (JPEG or PNG) and check it: writes the
    /// photo to --out and prints one JSON report. Exit 0 when every check passes, 1 when one
    /// fails or cannot be measured, 2 for an input that is not a usable image, 3 when the
    /// detector or the output file cannot be used.
    Check {
        /// The capture.
        image: PathBuf,
        /// Where to write the photo.
        #[arg(long)]
        out: PathBuf,
        /// Judge glare as for the glasses lighting.
        #[arg(long)]
        glasses: bool,
    },
}

#[derive(Subcommand)]
enum QrCmd {
    /// Decode QR codes in image files: one JSON line per file.
    Decode {
        /// Image files.
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum LightsCmd {
    /// Apply a preset (idle, standard, glasses, off, or one from the config).
    Preset {
        /// Preset name.
        name: String,
    },
    /// Set one channel's level (0..=max_level).
    Set {
        /// Channel.
        channel: String,
        /// Level.
        level: u16,
    },
}

#[derive(Subcommand)]
enum ChairCmd {
    /// Height, switches, button and faults.
    Status,
    /// Move for a while with the motor enabled, then stop and disable it.
    Move {
        /// up or down.
        direction: String,
        /// How long, ms.
        #[arg(long = "for-ms", default_value_t = 1000)]
        for_ms: u64,
    },
}

fn load(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None => Ok(Config::default()),
    }
}

/// Entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg_path = cli.config.as_deref();
    match cli.command {
        Command::Config(ConfigCmd::Check { file }) => match Config::load(&file) {
            Ok(_) => {
                println!("{}: ok", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(ExitCode::FAILURE)
            }
        },
        Command::Config(ConfigCmd::Default) => {
            print!("{}", toml::to_string(&Config::default())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Qr(QrCmd::Decode { files }) => Ok(qr_decode(&load(cfg_path)?.qr, &files)),
        Command::Photo(PhotoCmd::Check {
            image,
            out,
            glasses,
        }) => {
            let cfg = load(cfg_path)?;
            let (code, line) = crate::photo::check_file(&cfg.photo, &image, &out, glasses);
            println!("{line}");
            Ok(ExitCode::from(code))
        }
        Command::Walkthrough { out, portrait } => {
            let mut cfg = load(cfg_path)?;
            if portrait {
                cfg.display.orientation = crate::config::Orientation::Portrait;
            }
            let _guard = telemetry::init_in(&cfg.logging.level, &out.join("kiosk.log.jsonl"))?;
            walkthrough_cmd(cfg, &out)
        }
        Command::Run => {
            // A test build's introspection server would show the graduate's screens (name, ID)
            // to anything on the booth that can reach loopback.
            if cfg!(feature = "ui-introspection") && std::env::var_os("SLINT_MCP_PORT").is_some() {
                anyhow::bail!(
                    "SLINT_MCP_PORT is set and this binary has the test-only introspection server \
                     (feature ui-introspection): a booth runs a build without it"
                );
            }
            let path = cfg_path.context("kiosk run needs --config FILE")?;
            let cfg = load(Some(path))?;
            let log = cfg.data_path(&cfg.logging.json_file);
            let _guard = start_logging(&cfg, &log)?;
            let mode = crate::display::Mode {
                fullscreen: true,
                ..Default::default()
            };
            crate::display::run(cfg, mode)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { out, print_screens } => {
            let cfg = load(cfg_path)?;
            if has_display() && cfg!(feature = "window") {
                let log = cfg.data_path(&cfg.logging.json_file);
                let _guard = start_logging(&cfg, &log)?;
                let mode = crate::display::Mode {
                    demo_graduate: true,
                    print_screens,
                    ..Default::default()
                };
                crate::display::run(cfg, mode)?;
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "kiosk: no display (or built without the window feature): running the headless walkthrough into {}",
                out.display()
            );
            let _guard = telemetry::init_in(&cfg.logging.level, &out.join("kiosk.log.jsonl"))?;
            walkthrough_cmd(cfg, &out)
        }
        Command::Camera(cmd) => {
            let cfg = load(cfg_path)?;
            camera_cmd(&cfg, cmd)
        }
        Command::Headless => {
            let cfg = load(cfg_path)?;
            let log = cfg.data_path(&cfg.logging.json_file);
            // stdout carries the screens: the human-readable log goes to stderr as usual.
            let _guard = start_logging(&cfg, &log)?;
            crate::headless::run(cfg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::SimService(cmd) => {
            let cfg = load(cfg_path)?;
            sim_service_cmd(&cfg, cmd)
        }
        Command::ServicePin(ServicePinCmd::Hash) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let hash = crate::pin::hash_pin(line.trim())?;
            println!("[service_mode]\npin_hash = \"{hash}\"");
            Ok(ExitCode::SUCCESS)
        }
        Command::Logs(LogsCmd::Summary {
            since,
            until,
            dir,
            json,
        }) => {
            let time = |v: Option<String>, flag: &str| {
                v.map(|s| {
                    kiosk_ops::logs::parse_time(&s).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
                })
                .transpose()
            };
            let mut q = kiosk_ops::logs::Query {
                dirs: dir,
                since_ms: time(since, "since")?,
                until_ms: time(until, "until")?,
            };
            if q.dirs.is_empty() {
                let cfg = load(cfg_path)?;
                let log = cfg.data_path(&cfg.logging.json_file);
                q.dirs.push(
                    log.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(std::path::Path::new("."))
                        .to_owned(),
                );
            }
            let report = kiosk_ops::logs::summarise(&q).map_err(|e| anyhow::anyhow!(e))?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print!("{}", kiosk_ops::logs::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor { json, quick } => {
            // A broken configuration is the first failed check, not an error without a report.
            let (cfg, checks) = match load(cfg_path) {
                Ok(cfg) => {
                    let rt = tokio::runtime::Runtime::new()?;
                    let checks = rt.block_on(async {
                        let journal = crate::journal::Journal::in_memory()?;
                        anyhow::Ok(match crate::assemble::world(&cfg, journal) {
                            Ok((world, _sims)) => {
                                crate::diagnostics::doctor(Ok(&world), &cfg, !quick).await
                            }
                            Err(e) => {
                                let e = format!("{e:#}");
                                crate::diagnostics::doctor(Err(&e), &cfg, !quick).await
                            }
                        })
                    })?;
                    (cfg, checks)
                }
                Err(e) => (
                    Config::default(),
                    vec![crate::diagnostics::broken_config(&format!("{e:#}"))],
                ),
            };
            let all_ok = checks.iter().all(|c| c.ok());
            let words = |c: &kiosk_core::diagnostics::Check, lang| {
                c.hint.and_then(|h| crate::diagnostics::hint_words(h, lang))
            };
            for c in &checks {
                if json {
                    let mut line = serde_json::to_value(c)?;
                    line["part"] = c.part.name().into();
                    line["ok"] = c.ok().into();
                    line["hint_zh"] = words(c, kiosk_core::model::Lang::Zh).into();
                    line["hint_en"] = words(c, kiosk_core::model::Lang::En).into();
                    println!("{line}");
                } else {
                    println!(
                        "{:<14} {:<4} {} ({} ms){}",
                        c.part.name(),
                        match c.status {
                            kiosk_core::diagnostics::Status::Pass => "ok",
                            kiosk_core::diagnostics::Status::Warn => "WARN",
                            kiosk_core::diagnostics::Status::Fail => "FAIL",
                        },
                        c.detail,
                        c.ms,
                        words(c, cfg.kiosk.language)
                            .map(|h| format!("\n         → {h}"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(if all_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Voice(VoiceCmd::Build { dir }) => {
            let dir = match dir {
                Some(dir) => dir,
                None => load(cfg_path)?.voice.dir,
            };
            let n = crate::voice::build(&dir)?;
            println!("{n} prompts in {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::SimSerial => {
            let cfg = load(cfg_path)?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let sim = chair_control::sim::SimBus::spawn(
                    cfg.lights.clone(),
                    cfg.chair.clone(),
                    chair_control::sim::ChairPhysics::default(),
                )?;
                println!("{}", sim.path());
                eprintln!(
                    "lights: slave {}, chair: slave {}; Modbus RTU, any baud. Ctrl-C stops.",
                    cfg.lights.slave, cfg.chair.slave
                );
                tokio::signal::ctrl_c().await?;
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lights(cmd) => {
            let cfg = load(cfg_path)?;
            serial_tool(&cfg, |lights, _| async move {
                match cmd {
                    LightsCmd::Preset { name } => lights.preset(&name).await?,
                    LightsCmd::Set { channel, level } => lights.set(&channel, level).await?,
                }
                for (channel, level) in lights.levels().await? {
                    println!("{channel}\t{level}");
                }
                Ok(())
            })
        }
        Command::Chair(cmd) => {
            let cfg = load(cfg_path)?;
            serial_tool(&cfg, |_, chair| async move {
                if let ChairCmd::Move { direction, for_ms } = cmd {
                    let dir = match direction.as_str() {
                        "up" => chair_control::Direction::Up,
                        "down" => chair_control::Direction::Down,
                        other => anyhow::bail!("direction {other:?}: use up or down"),
                    };
                    chair.motor(true).await?;
                    let moved = async {
                        chair.drive(Some(dir)).await?;
                        tokio::time::sleep(std::time::Duration::from_millis(for_ms)).await;
                        anyhow::Ok(())
                    }
                    .await;
                    // The motor is disabled whatever happened while moving.
                    chair.motor(false).await?;
                    moved?;
                }
                println!("{}", serde_json::to_string_pretty(&chair.status().await?)?);
                Ok(())
            })
        }
    }
}

fn serial_tool<F, Fut>(cfg: &Config, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(chair_control::Lights, chair_control::Chair) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let (_sim, port) = match cfg.serial.backend {
            Backend::Sim => {
                eprintln!("kiosk: serial.backend = \"sim\": talking to a fresh simulator");
                let sim = chair_control::sim::SimBus::spawn(
                    cfg.lights.clone(),
                    cfg.chair.clone(),
                    chair_control::sim::ChairPhysics::default(),
                )?;
                let port = chair_control::PortConfig {
                    path: sim.path().into(),
                    ..cfg.serial.port.clone()
                };
                (Some(sim), port)
            }
            Backend::Real => (None, cfg.serial.port.clone()),
        };
        let bus = std::sync::Arc::new(chair_control::Bus::new(port));
        f(
            chair_control::Lights::new(bus.clone(), cfg.lights.clone()),
            chair_control::Chair::new(bus, cfg.chair.clone()),
        )
        .await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The credential the simulator checks signatures with: the configured one, or, when that file
/// does not exist (a fresh machine, where `/etc/photo-kiosk/credential` is not there), a
/// practice credential kept in the data directory and created on first use (owner-only). The
/// second value is the practice file's path when that is the one used.
fn sim_credential(cfg: &Config) -> anyhow::Result<(String, Option<PathBuf>)> {
    if cfg.service.credential_path.exists() {
        let secret = collection_service::read_credential(&cfg.service.credential_path)?;
        return Ok((String::from_utf8_lossy(&secret).into_owned(), None));
    }
    let path = cfg.kiosk.data_dir.join("practice-credential");
    if !path.exists() {
        cfg.make_data_dir()
            .with_context(|| format!("creating {}", cfg.kiosk.data_dir.display()))?;
        let secret = hex::encode(rand::random::<[u8; 32]>());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        options
            .open(&path)
            .and_then(|mut f| writeln!(f, "{secret}"))
            .with_context(|| format!("writing the practice credential {}", path.display()))?;
    }
    let secret = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the practice credential {}", path.display()))?;
    Ok((secret, Some(path)))
}

fn sim_service_cmd(cfg: &Config, cmd: SimServiceCmd) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match cmd {
            SimServiceCmd::Serve { port, db } => {
                let (secret, practice) = sim_credential(cfg)?;
                let sim = std::sync::Arc::new(match db {
                    Some(path) => collection_service::sim::SimService::open(
                        cfg.service.sim.clone(),
                        std::sync::Arc::new(crate::photo::PhotoReviewer(cfg.photo.clone())),
                        &path,
                    )
                    .with_context(|| format!("opening {}", path.display()))?,
                    None => collection_service::sim::SimService::new(
                        cfg.service.sim.clone(),
                        std::sync::Arc::new(crate::photo::PhotoReviewer(cfg.photo.clone())),
                    ),
                });
                let server = collection_service::sim_server::SimServer::start_on(
                    sim,
                    &cfg.kiosk.id,
                    secret.trim().as_bytes(),
                    port,
                )
                .await?;
                println!("{}", server.url());
                if let Some(path) = practice {
                    println!("credential: {}", path.display());
                    eprintln!(
                        "kiosk: no credential at {} (config key `service.credential_path`); \
                         serving with the practice credential {}: point `service.credential_path` \
                         at it to sign requests",
                        cfg.service.credential_path.display(),
                        path.display()
                    );
                }
                tokio::signal::ctrl_c().await?;
                Ok(ExitCode::SUCCESS)
            }
            SimServiceCmd::Pay { url, order } => {
                let base = reqwest::Url::parse(&url).context("--url")?;
                let pay = base.join(&format!("/sim/orders/{order}/pay"))?;
                let resp = reqwest::Client::new().post(pay).send().await?;
                let status = resp.status();
                println!("{}", resp.text().await.unwrap_or_default());
                Ok(if status.is_success() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
        }
    })
}

fn camera_cmd(cfg: &Config, cmd: CameraCmd) -> anyhow::Result<ExitCode> {
    if let CameraCmd::List = cmd {
        let cameras = camera_driver::gphoto::list()?;
        if cameras.is_empty() {
            eprintln!(
                "no camera found: check the USB cable and that the camera is on (AC power); \
                 `lsusb` should list it"
            );
            return Ok(ExitCode::FAILURE);
        }
        for c in cameras {
            println!("{}\t{}", c.model, c.port);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (camera, _sim) = crate::assemble::camera(cfg);
        // The thread opens the camera on its own; wait for its first verdict.
        let mut health = camera.health();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            health.wait_for(|h| *h != camera_driver::Health::Starting),
        )
        .await;
        if let camera_driver::Health::Disconnected { message, .. } = &*health.borrow() {
            anyhow::bail!("{message}");
        }
        let started = Instant::now();
        match cmd {
            CameraCmd::List => unreachable!("handled above"),
            CameraCmd::Info => {
                let info = camera.info().await?;
                println!("model\t{}", info.model);
                println!("port\t{}", info.port);
                println!("power\t{}", info.power.as_deref().unwrap_or("?"));
                for key in [
                    "capturetarget",
                    "imageformat",
                    "iso",
                    "f-number",
                    "shutterspeed",
                    "whitebalance",
                ] {
                    match camera.get_config(key).await {
                        Ok(v) => println!("{key}\t{v}"),
                        Err(e) => println!("{key}\t({})", e.message),
                    }
                }
            }
            CameraCmd::Config { key: None, .. } => {
                for (k, v) in camera.list_config().await? {
                    println!("{k}\t{v}");
                }
            }
            CameraCmd::Config {
                key: Some(key),
                value: None,
            } => println!("{}", camera.get_config(&key).await?),
            CameraCmd::Config {
                key: Some(key),
                value: Some(value),
            } => {
                let accepted = camera.set_config(&key, &value).await?;
                println!("{accepted}");
                if accepted != value {
                    eprintln!("note: the camera took {accepted:?}, not {value:?}");
                }
            }
            CameraCmd::Shoot { out } | CameraCmd::Preview { out } if out.as_os_str().is_empty() => {
                anyhow::bail!("--out needs a file name")
            }
            CameraCmd::Shoot { out } => save_jpeg(&out, &camera.capture().await?, started)?,
            CameraCmd::Preview { out } => save_jpeg(&out, &camera.preview().await?, started)?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn save_jpeg(out: &Path, jpeg: &[u8], started: Instant) -> anyhow::Result<()> {
    std::fs::write(out, jpeg).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: {} bytes in {} ms",
        out.display(),
        jpeg.len(),
        started.elapsed().as_millis()
    );
    Ok(())
}

fn walkthrough_cmd(cfg: Config, out: &Path) -> anyhow::Result<ExitCode> {
    let report = walkthrough::run(walkthrough::config(cfg), out).context("walkthrough")?;
    println!(
        "walkthrough finished in {:.1} s: {} screens visited, {} PNGs in {}, report.json beside them",
        report.total_ms as f64 / 1000.0,
        report.visits.len(),
        report.pngs.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Largest image file `kiosk qr decode` reads: the same bound as `kiosk photo check`.
const MAX_IMAGE_BYTES: u64 = crate::photo::MAX_FILE_BYTES;

/// Decode and classify with the configured `[qr]` rules (the booth's own prefix and markers).
fn qr_decode(rules: &qr::QrRules, files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let started = Instant::now();
        let result = (|| -> anyhow::Result<Vec<String>> {
            let size = std::fs::metadata(file)?.len();
            if size > MAX_IMAGE_BYTES {
                anyhow::bail!("file is {size} bytes; the limit is {MAX_IMAGE_BYTES}");
            }
            let bytes = std::fs::read(file)?;
            // A decoder bug on one file must not cost the files after it their answers.
            std::panic::catch_unwind(|| qr::decode_for_scan(&bytes, rules))
                .map_err(|_| anyhow::anyhow!("the QR decoder failed on this image (a bug)"))?
                .map_err(Into::into)
        })();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let line = match result {
            Ok(codes) => {
                let kinds: Vec<&str> = codes
                    .iter()
                    .map(|c| qr::kind_name(&qr::classify(rules, c)))
                    .collect();
                // What the scan screen would make of the frame as a whole.
                let booth = qr::pick(rules, &codes).map(|(k, _)| qr::kind_name(&k));
                serde_json::json!({
                    "file": file, "codes": codes, "kinds": kinds, "booth": booth, "ms": ms
                })
            }
            Err(e) => {
                failed = true;
                serde_json::json!({ "file": file, "error": e.to_string(), "ms": ms })
            }
        };
        println!("{line}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
