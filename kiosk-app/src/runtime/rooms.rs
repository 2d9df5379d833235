//! The runtime's background rooms: event sources (live-view QR, USB scanner), the health
//! monitor, the face tracker, the seat leveller, the heartbeat, and the two device workers.

use super::*;

impl Runtime {
    /// Start the background rooms: event sources, the health monitor, the heartbeat, and the
    /// device workers (the second array: the shutdown waits for them). Each runs under
    /// [`supervisor::keep_running`]: one that panics is logged and started again, built afresh
    /// from the same channels (receivers cloned, so a restarted device worker applies the
    /// newest command at once). Each is owned by its handle: the runtime ending, or its task
    /// aborted, ends them all, also the ones (the heartbeat) that would otherwise run for ever.
    pub(super) fn start_rooms(&self) -> ([supervisor::Owned; 6], [supervisor::Owned; 2]) {
        let cfg = self.cfg.clone();
        let pause = supervisor::FIRST_PAUSE;
        let (world, tx) = (self.world.clone(), self.tx.clone());
        let scanning = self.scanning.subscribe();
        let qr = keep_running("qr", pause, {
            let (world, cfg, tx, scanning) =
                (world.clone(), cfg.clone(), tx.clone(), scanning.clone());
            move || {
                sources::qr_worker(
                    world.camera.frames(),
                    scanning.clone(),
                    cfg.qr.clone(),
                    tx.clone(),
                )
            }
        });
        let scanner = keep_running("scanner", pause, {
            let (cfg, tx, scanning) = (cfg.clone(), tx.clone(), scanning.clone());
            move || {
                let (scanned_tx, scanned) = mpsc::unbounded_channel();
                let reader = crate::scanner::run(cfg.scanner.clone(), scanned_tx);
                let worker =
                    sources::scanner_worker(scanned, scanning.clone(), cfg.qr.clone(), tx.clone());
                async move {
                    tokio::join!(reader, worker);
                }
            }
        });
        let health = keep_running("health", pause, {
            let (world, cfg, tx) = (world.clone(), cfg.clone(), tx.clone());
            let (motor, faults) = (self.chair_cmd.subscribe(), self.faults.subscribe());
            move || {
                health::monitor(
                    world.clone(),
                    motor.clone(),
                    faults.clone(),
                    tx.clone(),
                    Duration::from_millis(cfg.serial.chair_poll_ms),
                    Duration::from_millis(cfg.serial.health_interval_ms),
                )
            }
        });
        let faces = keep_running("face tracker", pause, {
            let (world, tx) = (world.clone(), tx.clone());
            let (on, out, levelling) = (
                self.tracking.subscribe(),
                self.tracked.clone(),
                self.levelling.subscribe(),
            );
            move || {
                seat::track_faces(
                    world.photo.clone(),
                    world.camera.frames(),
                    on.clone(),
                    out.clone(),
                    levelling.clone(),
                    tx.clone(),
                )
            }
        });
        let leveller = keep_running("seat leveller", pause, {
            let (world, cfg, tx) = (world.clone(), cfg.clone(), tx.clone());
            let (active, tracked, levelling) = (
                self.level_active.subscribe(),
                self.tracked.subscribe(),
                self.levelling.clone(),
            );
            move || {
                seat::level_seat(
                    world.chair.clone(),
                    Duration::from_secs_f32(cfg.chair.auto_level_max_secs),
                    active.clone(),
                    tracked.clone(),
                    levelling.clone(),
                    tx.clone(),
                )
            }
        });
        let heartbeat = keep_running("heartbeat", pause, {
            let (world, cfg) = (world.clone(), cfg.clone());
            let (screen, faults) = (self.screen.subscribe(), self.faults.subscribe());
            move || {
                service_calls::heartbeats(
                    world.clone(),
                    cfg.clone(),
                    screen.clone(),
                    faults.clone(),
                )
            }
        });
        let lights = world.lights.clone();
        let lights_task = device_room(
            Device::Lights,
            self.lights_cmd.subscribe(),
            tx.clone(),
            move |preset: LightPreset| {
                let lights = lights.clone();
                async move { lights.preset(preset.name()).await }
            },
        );
        let chair = world.chair.clone();
        let chair_task = device_room(
            Device::Chair,
            self.chair_cmd.subscribe(),
            tx,
            move |on: bool| {
                let chair = chair.clone();
                async move { chair.motor(on).await }
            },
        );
        (
            [qr, scanner, health, faces, leveller, heartbeat],
            [lights_task, chair_task],
        )
    }
}

/// One device's ordered worker ([`devices::device_worker`]) under [`keep_running`].
fn device_room<T, F, Fut>(
    device: Device,
    wanted: watch::Receiver<Option<T>>,
    tx: mpsc::UnboundedSender<Event>,
    apply: F,
) -> supervisor::Owned
where
    T: Copy + std::fmt::Debug + Send + Sync + 'static,
    F: Fn(T) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), chair_control::DeviceError>> + Send + 'static,
{
    keep_running(device.name(), supervisor::FIRST_PAUSE, move || {
        devices::device_worker(device, wanted.clone(), tx.clone(), apply.clone())
    })
}
