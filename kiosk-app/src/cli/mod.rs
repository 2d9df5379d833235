//! The command line: `kiosk demo`, `kiosk walkthrough`, `kiosk config check`, `kiosk qr decode`,
//! `kiosk sim-serial`, and the technician's `kiosk lights` / `kiosk chair`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod reports;
mod tools;

use crate::config::Config;
use crate::walkthrough;
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
    /// The technician PIN that opens maintenance mode on the touchscreen (`service-pin`, its
    /// name before, still works).
    #[command(subcommand, alias = "service-pin")]
    MaintenancePin(MaintenancePinCmd),
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
enum MaintenancePinCmd {
    /// Read a PIN (6 to 8 digits) from standard input and print the `[maintenance]` line with
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
        Command::Qr(QrCmd::Decode { files }) => Ok(tools::qr_decode(&load(cfg_path)?.qr, &files)),
        Command::Photo(PhotoCmd::Check {
            image,
            out,
            glasses,
        }) => {
            let cfg = load(cfg_path)?;
            let (code, line) = crate::photo_lab::check_file(&cfg.photo, &image, &out, glasses);
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
            tools::camera_cmd(&cfg, cmd)
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
            tools::sim_service_cmd(&cfg, cmd)
        }
        Command::MaintenancePin(MaintenancePinCmd::Hash) => tools::maintenance_pin_hash(),
        Command::Logs(LogsCmd::Summary {
            since,
            until,
            dir,
            json,
        }) => reports::logs_summary(cfg_path, since, until, dir, json),
        Command::Doctor { json, quick } => reports::doctor(cfg_path, json, quick),
        Command::Voice(VoiceCmd::Build { dir }) => {
            let dir = match dir {
                Some(dir) => dir,
                None => load(cfg_path)?.voice.dir,
            };
            let n = crate::voice::build(&dir)?;
            println!("{n} prompts in {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::SimSerial => tools::sim_serial(&load(cfg_path)?),
        Command::Lights(cmd) => tools::lights(&load(cfg_path)?, cmd),
        Command::Chair(cmd) => tools::chair(&load(cfg_path)?, cmd),
    }
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
