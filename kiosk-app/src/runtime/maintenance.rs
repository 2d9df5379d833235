//! The technician's maintenance mode: PINs from the keypad (checked here, never passed on),
//! diagnostics, the test shot and driving the seat.

use std::sync::Arc;

use kiosk_core::flow::{ChairMove, Device, Event};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use super::World;
use crate::config::Config;

/// Check a PIN from the keypad against the configured Argon2id hash, off the async threads
/// (Argon2id is slow on purpose). Only whether it matched reaches the flow.
pub(super) async fn check_pin(pin: String, hash: String) -> Event {
    let ok = tokio::task::spawn_blocking(move || crate::pin::verify_pin(&pin, &hash))
        .await
        .unwrap_or(false);
    if ok {
        info!(
            code = kiosk_core::ops::code::MAINTENANCE_PIN_ACCEPTED,
            "maintenance PIN accepted"
        );
    } else {
        debug!("maintenance PIN refused (the runtime logs MAINTENANCE_PIN_REFUSED)");
    }
    Event::PinChecked { ok }
}

/// Run every check for the maintenance screen.
pub(super) async fn diagnostics(world: World, cfg: Arc<Config>) -> Event {
    Event::MaintenanceReport(crate::diagnostics::screen::view(&world, &cfg).await)
}

/// Take a test shot (never counted or uploaded); the photo goes to the screen.
pub(super) async fn test_shot(
    world: World,
    photo_tx: watch::Sender<Option<Arc<Vec<u8>>>>,
) -> Event {
    let (summary, jpeg) = crate::diagnostics::test_shot(&world).await;
    info!(result = %summary, "maintenance test shot");
    photo_tx.send_replace(jpeg.map(Arc::new));
    Event::TestShotTaken { summary }
}

/// Drive the seat as the technician asks; a refusal is a chair fault.
pub(super) async fn drive_chair(
    world: World,
    direction: ChairMove,
    tx: mpsc::UnboundedSender<Event>,
) {
    let direction = match direction {
        ChairMove::Up => Some(chair_control::Direction::Up),
        ChairMove::Down => Some(chair_control::Direction::Down),
        ChairMove::Stop => None,
    };
    if let Err(e) = world.chair.drive(direction).await {
        warn!(error = %e, "maintenance mode: the chair did not take the command");
        let _ = tx.send(Event::DeviceFault {
            device: Device::Chair,
            kind: crate::diagnostics::serial_fault(e.kind()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_right_pin_is_accepted() {
        let hash = crate::pin::hash_pin("135790").unwrap();
        assert_eq!(
            check_pin("135790".into(), hash.clone()).await,
            Event::PinChecked { ok: true }
        );
        assert_eq!(
            check_pin("97531".into(), hash).await,
            Event::PinChecked { ok: false }
        );
    }
}
