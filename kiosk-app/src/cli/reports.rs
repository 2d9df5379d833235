//! The reports a technician or an operator asks for: `kiosk doctor` and `kiosk logs summary`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::load;
use crate::config::Config;

/// `kiosk doctor [--json] [--quick]`: every check, printed as text or one JSON line each;
/// success only when every check passed.
pub(super) fn doctor(cfg_path: Option<&Path>, json: bool, quick: bool) -> anyhow::Result<ExitCode> {
    // A broken configuration is the first failed check, not an error without a report.
    let (cfg, checks) = match load(cfg_path) {
        Ok(cfg) => {
            let rt = tokio::runtime::Runtime::new()?;
            let checks = rt.block_on(async {
                let journal = crate::journal::Journal::in_memory()?;
                anyhow::Ok(
                    match crate::assemble::world(&cfg, journal, kiosk_core::clock::Clock::Wall) {
                        Ok((world, _sims)) => {
                            crate::diagnostics::doctor(Ok(&world), &cfg, !quick).await
                        }
                        Err(e) => {
                            let e = format!("{e:#}");
                            crate::diagnostics::doctor(Err(&e), &cfg, !quick).await
                        }
                    },
                )
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

/// `kiosk logs summary`: the funnel, outcomes and step times from the JSON logs in `dirs` (the
/// configured log's directory when none is given), between `since` and `until`.
pub(super) fn logs_summary(
    cfg_path: Option<&Path>,
    since: Option<String>,
    until: Option<String>,
    dir: Vec<PathBuf>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let time = |v: Option<String>, flag: &str| {
        v.map(|s| kiosk_ops::logs::parse_time(&s).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
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
    let report = kiosk_ops::logs::summarise(&q)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", kiosk_ops::logs::table(&report));
    }
    Ok(ExitCode::SUCCESS)
}
