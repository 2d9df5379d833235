//! The dispatch table: each effect the flow returns to the room that carries it out.

use super::*;

impl Runtime {
    /// The dispatch table: each effect to the room that carries it out.
    pub(super) fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::LiveView(on) => self.world.camera.live_view(on),
            Effect::QrScanning(on) => {
                self.scanning.send_replace(on);
            }
            Effect::Lights(preset) => {
                self.lights_cmd.send_replace(Some(preset));
            }
            Effect::ChairMotor(on) => {
                self.chair_cmd.send_replace(Some(on));
                self.update_levelling();
            }
            Effect::FaceTracking(on) => {
                self.tracking.send_replace(on);
                self.update_levelling();
            }
            Effect::CameraPreset { glasses } => {
                let camera = self.camera.clone();
                self.spawn(async move {
                    camera.preset(glasses).await;
                    None
                });
            }
            Effect::Capture {
                code,
                shot,
                glasses,
            } => {
                let (camera, journal) = (self.camera.clone(), self.world.journal.clone());
                let photo = self.photo.clone();
                self.spawn(async move {
                    Some(camera.capture(&journal, &photo, code, shot, glasses).await)
                });
            }
            Effect::PinEntry(on) => self.pin_entry = on,
            effect @ (Effect::ResolveCode { .. }
            | Effect::Upload { .. }
            | Effect::PollReview { .. }
            | Effect::CreateOrder { .. }
            | Effect::PollPayment { .. }
            | Effect::CloseOrder { .. }) => {
                let timeout = Duration::from_millis(self.cfg.service.timeout_ms);
                self.spawn(service_calls::call(self.world.clone(), timeout, effect));
            }
            Effect::CheckDevices => {
                let world = self.world.clone();
                self.spawn(async move { Some(check_devices(&world).await) });
            }
            Effect::MaintenanceDiagnostics => {
                let (world, cfg) = (self.world.clone(), self.cfg.clone());
                self.spawn(async move { Some(maintenance::diagnostics(world, cfg).await) });
            }
            Effect::MaintenanceTestShot => {
                let (world, photo) = (self.world.clone(), self.photo.clone());
                self.spawn(async move { Some(maintenance::test_shot(world, photo).await) });
            }
            Effect::ChairDrive(direction) => {
                self.effects.spawn(maintenance::drive_chair(
                    self.world.clone(),
                    direction,
                    self.tx.clone(),
                ));
            }
            Effect::MaintenanceMode { open } => {
                self.photo.send_replace(None);
                info!(
                    code = if open {
                        kiosk_core::ops::code::MAINTENANCE_OPENED
                    } else {
                        kiosk_core::ops::code::MAINTENANCE_CLOSED
                    },
                    open,
                    "maintenance mode {}",
                    if open { "opened" } else { "closed" }
                );
            }
            Effect::DiscardPhotos { code } => {
                // Whatever the service does not hold by now was not chosen.
                if let Err(e) = self.world.journal.delete_photos(&code) {
                    warn!(code = kiosk_core::ops::code::PHOTO_DELETE_FAILED, error = %e, "could not delete the session's photos");
                }
            }
            Effect::PinRefused {
                failures,
                locked_secs,
            } => {
                if locked_secs > 0 {
                    error!(
                        code = kiosk_core::ops::code::MAINTENANCE_PIN_LOCKED,
                        failures, locked_secs, "maintenance keypad locked after wrong PINs"
                    );
                } else {
                    warn!(
                        code = kiosk_core::ops::code::MAINTENANCE_PIN_REFUSED,
                        failures, "wrong maintenance PIN"
                    );
                }
            }
            // Its span is opened in `apply`, before any effect runs.
            Effect::SessionStarted { .. } => {}
            Effect::SessionEnded { .. } => {
                if let Err(e) = self.world.journal.end_session() {
                    warn!(error = %e, "could not clear the session's photos from the journal");
                }
                crate::retention::sweep(&self.world.journal, &self.cfg, self.world.clock.now_ms());
                self.camera.forget_preset();
                self.span = Span::none();
                self.step_span = Span::none();
                self.photo.send_replace(None);
            }
        }
    }
}
