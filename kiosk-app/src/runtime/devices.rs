//! Lights and chair: one ordered worker per device, and the emergency stop.

use std::time::Duration;

use kiosk_core::flow::{Device, Event};
use tokio::sync::{mpsc, watch};
use tracing::error;

use super::World;

/// Applies one device's commands one at a time, in order; when several are waiting only the
/// newest is applied (it is the state the flow wants now). Independent tasks could land out of
/// order and, say, leave the booth dim during a shot. A failure becomes a `DeviceFault`.
pub(super) async fn device_worker<T, F, Fut>(
    device: Device,
    mut wanted: watch::Receiver<Option<T>>,
    tx: mpsc::UnboundedSender<Event>,
    apply: F,
) where
    T: Copy + std::fmt::Debug,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<(), chair_control::DeviceError>>,
{
    while wanted.changed().await.is_ok() {
        let Some(command) = *wanted.borrow_and_update() else {
            continue;
        };
        if let Err(e) = apply(command).await {
            error!(
                code = kiosk_core::ops::code::DEVICE_COMMAND_FAILED,
                device = device.name(),
                ?command,
                error = %e,
                "device command failed"
            );
            let _ = tx.send(Event::DeviceFault {
                device,
                kind: crate::diagnostics::serial_fault(e.kind()),
            });
        }
    }
}

/// Make the booth safe from outside the runtime (it panicked or hung): chair motor off, lights
/// off. Called by whoever supervises the runtime task.
pub async fn emergency_stop(world: &World) {
    error!(
        code = kiosk_core::ops::code::EMERGENCY_STOP,
        "runtime stopped abnormally: disabling the chair motor and switching the lights off"
    );
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        if let Err(e) = world.chair.motor(false).await {
            error!(error = %e, "could not disable the chair motor");
        }
        if let Err(e) = world.lights.preset("off").await {
            error!(error = %e, "could not switch the lights off");
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chair_control::{DeviceError, ErrorKind};
    use std::sync::{Arc, Mutex};

    /// Commands are applied in order, the newest wins when several wait, and a failure is
    /// reported as a fault of that device.
    #[tokio::test]
    async fn applies_in_order_and_reports_failures() {
        let (wanted_tx, wanted) = watch::channel(None);
        let (tx, mut rx) = mpsc::unbounded_channel();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let worker = tokio::spawn(device_worker(Device::Lights, wanted, tx, move |n: u8| {
            log.lock().unwrap().push(n);
            async move {
                if n == 9 {
                    Err(DeviceError::new(ErrorKind::NoReply, "sim", "silent"))
                } else {
                    Ok(())
                }
            }
        }));
        wanted_tx.send_replace(Some(1));
        wanted_tx.send_replace(Some(2));
        wanted_tx.send_replace(Some(9));
        let fault = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            fault,
            Event::DeviceFault {
                device: Device::Lights,
                kind: kiosk_core::flow::FaultKind::NoReply
            }
        );
        drop(wanted_tx);
        worker.await.unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen.last(),
            Some(&9),
            "the newest command is applied last: {seen:?}"
        );
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order: {seen:?}");
    }
}
