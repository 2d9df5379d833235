//! The camera's effects: the preset for the lighting choice, and the shot (capture, process,
//! journal, count).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use camera_driver::{CameraActor, ErrorKind as CamErr};
use kiosk_core::flow::{CaptureProblem, Event};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::config::CameraPresets;
use crate::journal::Journal;
use crate::photo_lab::{self, PhotoLab};

/// The camera room: what it needs to set the camera up and take a shot.
#[derive(Clone)]
pub(super) struct CameraRoom {
    camera: Arc<CameraActor>,
    /// The camera's settings for each light (`[camera.presets]`).
    presets: CameraPresets,
    lab: Arc<PhotoLab>,
    /// The preset fully applied last (true: glasses), so a shot does not wait for it twice.
    applied: Arc<Mutex<Option<bool>>>,
}

/// How a camera error counts for the graduate (none of them is one of their shots).
fn camera_problem(kind: CamErr) -> CaptureProblem {
    match kind {
        CamErr::Timeout => CaptureProblem::Timeout,
        CamErr::Disconnected | CamErr::Claimed | CamErr::ActorGone => CaptureProblem::Disconnected,
        _ => CaptureProblem::Busy,
    }
}

impl CameraRoom {
    pub(super) fn new(
        camera: Arc<CameraActor>,
        presets: CameraPresets,
        lab: Arc<PhotoLab>,
    ) -> Self {
        Self {
            camera,
            presets,
            lab,
            applied: Arc::default(),
        }
    }

    fn applied(&self) -> std::sync::MutexGuard<'_, Option<bool>> {
        self.applied.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forget what was applied: the next graduate's choice is applied afresh (the camera may
    /// have been re-plugged or touched by a technician in between).
    pub(super) fn forget_preset(&self) {
        *self.applied() = None;
    }

    /// Apply the camera settings for the lighting choice unless they already are, reading back
    /// what the camera accepted. A refused setting is logged and the shot goes ahead with what
    /// the camera has (a slightly different exposure beats no photo); it is tried again before
    /// the next shot (the camera may have been busy).
    pub(super) async fn preset(&self, glasses: bool) {
        if *self.applied() == Some(glasses) {
            return;
        }
        let (name, preset) = if glasses {
            ("glasses", &self.presets.glasses)
        } else {
            ("standard", &self.presets.standard)
        };
        let mut all = true;
        for (key, want) in preset {
            match self.camera.set_config(key, want).await {
                Ok(got) if got == *want => {}
                Ok(got) => {
                    warn!(code = kiosk_core::ops::code::CAMERA_SETTING_REFUSED, preset = name, key = %key, wanted = %want, accepted = %got, "the camera took a different value");
                }
                Err(e) => {
                    all = false;
                    warn!(code = kiosk_core::ops::code::CAMERA_SETTING_REFUSED, preset = name, key = %key, wanted = %want, error = %e, "the camera refused a preset setting");
                }
            }
        }
        info!(
            preset = name,
            settings = preset.len(),
            "camera preset applied"
        );
        *self.applied() = all.then_some(glasses);
    }

    /// Take shot `shot` of `code`: make sure of the preset, capture, process to the CHSI
    /// photo, and store it in the journal, which counts it. Only a stored photo is a shot:
    /// any failure answers `CaptureFailed` and costs the graduate nothing.
    pub(super) async fn capture(
        &self,
        journal: &Journal,
        photo_tx: &watch::Sender<Option<Arc<Vec<u8>>>>,
        code: String,
        shot: u8,
        glasses: bool,
    ) -> Event {
        self.preset(glasses).await;
        let started = Instant::now();
        let raw = match self.camera.capture().await {
            Ok(raw) => raw,
            Err(e) => {
                warn!(error = %e, shot, "capture failed; not counted");
                return Event::CaptureFailed(camera_problem(e.kind()));
            }
        };
        let lab = self.lab.clone();
        let processed = tokio::task::spawn_blocking(move || lab.process(&raw, glasses)).await;
        let photo = match processed {
            Ok(Ok(photo)) => photo,
            other => {
                error!(
                    ?other,
                    shot, "the camera's image could not be processed; not counted"
                );
                return Event::CaptureFailed(CaptureProblem::Busy);
            }
        };
        let jpeg = photo.jpeg;
        let report = photo.report;
        // Counted only once the photo is safely in the journal.
        if let Err(e) = journal.store_shot(&code, shot, &jpeg) {
            error!(error = %e, shot, "could not journal the photo; not counted");
            return Event::CaptureFailed(CaptureProblem::Busy);
        }
        info!(
            shot,
            ms = started.elapsed().as_millis() as u64,
            bytes = jpeg.len(),
            quality = report.quality,
            processing_ms = report.ms as u64,
            ok = report.ok,
            failed = %report
                .problems()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
            "shot taken"
        );
        photo_tx.send_replace(Some(Arc::new(jpeg)));
        Event::Captured {
            shot,
            checks: photo_lab::shot_checks(&report.checks),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_errors_map_to_what_the_graduate_is_told() {
        assert_eq!(camera_problem(CamErr::Timeout), CaptureProblem::Timeout);
        assert_eq!(
            camera_problem(CamErr::Disconnected),
            CaptureProblem::Disconnected
        );
        assert_eq!(
            camera_problem(CamErr::Claimed),
            CaptureProblem::Disconnected
        );
        assert_eq!(camera_problem(CamErr::Busy), CaptureProblem::Busy);
    }
}
