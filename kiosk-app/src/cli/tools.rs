//! The technician's tools: the lights, the chair, the camera, the serial and collection-service
//! simulators, the maintenance PIN's hash and the QR decoder, each through the code the kiosk
//! runs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::{CameraCmd, ChairCmd, LightsCmd, SimServiceCmd};
use crate::config::{Backend, Config};
use crate::qr;

/// `kiosk sim-serial`: the lights and chair simulator on a pseudo-terminal until Ctrl-C.
pub(super) fn sim_serial(cfg: &Config) -> anyhow::Result<ExitCode> {
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

/// `kiosk lights preset|set`: then every channel's level.
pub(super) fn lights(cfg: &Config, cmd: LightsCmd) -> anyhow::Result<ExitCode> {
    serial_tool(cfg, |lights, _| async move {
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

/// `kiosk chair [move]`: the motor enabled only while moving, disabled whatever happens; then
/// the chair's status.
pub(super) fn chair(cfg: &Config, cmd: ChairCmd) -> anyhow::Result<ExitCode> {
    serial_tool(cfg, |_, chair| async move {
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

/// `kiosk maintenance-pin hash`: a PIN from standard input, the config lines with its hash.
pub(super) fn maintenance_pin_hash() -> anyhow::Result<ExitCode> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let hash = crate::pin::hash_pin(line.trim())?;
    println!("[maintenance]\npin_hash = \"{hash}\"");
    Ok(ExitCode::SUCCESS)
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

pub(super) fn sim_service_cmd(cfg: &Config, cmd: SimServiceCmd) -> anyhow::Result<ExitCode> {
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
                        std::sync::Arc::new(crate::photo_lab::PhotoReviewer(cfg.photo.clone())),
                        &path,
                    )
                    .with_context(|| format!("opening {}", path.display()))?,
                    None => collection_service::sim::SimService::new(
                        cfg.service.sim.clone(),
                        std::sync::Arc::new(crate::photo_lab::PhotoReviewer(cfg.photo.clone())),
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

pub(super) fn camera_cmd(cfg: &Config, cmd: CameraCmd) -> anyhow::Result<ExitCode> {
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

/// Largest image file `kiosk qr decode` reads: the same bound as `kiosk photo check`.
const MAX_IMAGE_BYTES: u64 = crate::photo_lab::MAX_FILE_BYTES;

/// Decode and classify with the configured `[qr]` rules (the booth's own prefix and markers).
pub(super) fn qr_decode(rules: &qr::QrRules, files: &[PathBuf]) -> ExitCode {
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
