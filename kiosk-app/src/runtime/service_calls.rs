//! Calls to the collection service: each effect one bounded call whose answer comes back to
//! the flow as an event; and the heartbeat.

use std::sync::Arc;
use std::time::Duration;

use camera_driver::Health;
use kiosk_core::flow::{Effect, Event, PaymentState, ServiceOp};
use kiosk_core::model::ScreenModel;
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

use super::World;
use super::health::Faults;
use crate::config::Config;
use collection_service::{CollectionService, Outage, ServiceError};
use kiosk_core::mask;

/// A service call bounded by `timeout`; no answer in time is `Unavailable`.
pub(super) async fn bounded<T>(
    timeout: Duration,
    call: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<T, ServiceError> {
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(Outage::Deadline {
                ms: timeout.as_millis() as u64,
            }))
        })
}

/// [`bounded`], with the answer (or its absence) counted in the metrics: a refusal is an
/// answer, so it counts as contact too.
async fn ask<T>(
    world: &World,
    timeout: Duration,
    call: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<T, ServiceError> {
    let result = bounded(timeout, call).await;
    let error = match &result {
        Ok(_) => None,
        Err(ServiceError::Rejected(_)) => Some("rejected"),
        Err(ServiceError::Refused(_)) => Some("refused"),
        Err(ServiceError::Unavailable(_)) => Some("unavailable"),
    };
    world.metrics.service_answered(world.clock.now_ms(), error);
    result
}

/// A failed service call becomes the flow's `ServiceFailed` (logged as `SERVICE_CALL_FAILED`
/// by the runtime; the client logged why).
fn service_failure(op: ServiceOp, e: &ServiceError) -> Option<Event> {
    debug!(?op, error = %e, "service call failed");
    Some(Event::ServiceFailed(op))
}

/// Carry out one service effect; the answer (if any) is the event to feed back. Effects that
/// are not service calls answer nothing.
pub(super) async fn call(world: World, timeout: Duration, effect: Effect) -> Option<Event> {
    let service: Arc<dyn CollectionService> = world.service.clone();
    match effect {
        Effect::ResolveCode { code } => match ask(&world, timeout, service.resolve(&code)).await {
            Ok(r) => {
                // The flow decides with both counts and the expiry (the larger count wins; an
                // expired code is refused).
                let shots_on_kiosk = world.journal.shots_used(&code).unwrap_or(0);
                info!(
                    name = %mask::name(&r.identity.name),
                    id = %mask::id_number(&r.identity.id_number),
                    shots_used = r.shots_used,
                    shots_on_kiosk,
                    "code resolved"
                );
                Some(Event::CodeResolved {
                    identity: r.identity,
                    shots_used: r.shots_used,
                    shots_on_kiosk,
                    shots_max: r.shots_max,
                    expires_at_ms: r.expires_at.map(|secs| secs.saturating_mul(1000)),
                })
            }
            Err(ServiceError::Rejected(reason)) => Some(Event::CodeRejected(reason)),
            Err(e) => service_failure(ServiceOp::Resolve, &e),
        },
        Effect::Upload { code, shot } => {
            let jpeg = match world.journal.photo(&code, shot) {
                Ok(Some(jpeg)) => jpeg,
                other => {
                    error!(
                        code = kiosk_core::ops::code::PHOTO_MISSING,
                        ?other,
                        shot,
                        "the photo to upload is not in the journal"
                    );
                    return Some(Event::ServiceFailed(ServiceOp::Upload));
                }
            };
            match ask(&world, timeout, service.upload(&code, shot, &jpeg)).await {
                Ok(submission) => {
                    // Kept until the flow's `DiscardPhotos`, which follows `Uploaded` once the
                    // journal has recorded it (a kill in between resends the same photo under
                    // the same idempotency key).
                    info!(shot, %submission, "photo uploaded");
                    Some(Event::Uploaded { submission })
                }
                Err(e @ (ServiceError::Refused(_) | ServiceError::Rejected(_))) => {
                    // An answer, not an outage: sending it again would be refused again.
                    warn!(
                        code = kiosk_core::ops::code::SERVICE_REFUSED,
                        shot,
                        error = %e,
                        "the service refused the upload; not retried"
                    );
                    Some(Event::UploadRefused)
                }
                Err(e) => service_failure(ServiceOp::Upload, &e),
            }
        }
        Effect::PollReview { submission } => {
            match ask(&world, timeout, service.review(&submission)).await {
                Ok(state) => Some(Event::ReviewUpdate(state)),
                Err(e) => service_failure(ServiceOp::Review, &e),
            }
        }
        Effect::CreateOrder { submission } => {
            match ask(&world, timeout, service.create_order(&submission)).await {
                Ok(order) => Some(Event::OrderCreated(order)),
                Err(e) => service_failure(ServiceOp::CreateOrder, &e),
            }
        }
        Effect::PollPayment { order } => {
            match ask(&world, timeout, service.payment(&order)).await {
                Ok(state) => Some(Event::PaymentUpdate { order, state }),
                Err(e) => service_failure(ServiceOp::Payment, &e),
            }
        }
        // The close answer says what the order is now: the graduate may have paid after the
        // last poll, and the flow (on its "expired" screen, or already back at the start)
        // must hear it. If the close gets no answer, one more poll asks.
        Effect::CloseOrder { order } => {
            let state = match ask(&world, timeout, service.close_order(&order)).await {
                Ok(state) => Ok(state),
                Err(e) => {
                    warn!(error = %e, %order, "could not close the order; asking for its state");
                    ask(&world, timeout, service.payment(&order)).await
                }
            };
            match state {
                Ok(state) => {
                    if state == PaymentState::Paid {
                        info!(%order, "the order was paid as it closed");
                    }
                    Some(Event::PaymentUpdate { order, state })
                }
                Err(e) => {
                    warn!(error = %e, %order, "the order's state is unknown after closing it");
                    None
                }
            }
        }
        _ => None,
    }
}

/// Tell the service every `service.heartbeat_secs` that this kiosk is alive: the screen it
/// shows, its devices ("ok" or a fault reference) and the health gauges Prometheus scrapes
/// ([`collection_service::wire::KioskHealth`]). No personal data. A failed heartbeat is
/// only logged: the next one follows.
pub(super) async fn heartbeats(
    world: World,
    cfg: Arc<Config>,
    screen: watch::Receiver<ScreenModel>,
    faults: watch::Receiver<Faults>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(cfg.service.heartbeat_secs.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let mut devices = std::collections::BTreeMap::new();
        let camera = match &*world.camera.health().borrow() {
            Health::Connected(_) => "ok".to_owned(),
            Health::Starting => "starting".to_owned(),
            Health::Disconnected { kind, .. } => format!("camera-{}", kind.name()),
        };
        devices.insert("camera".to_owned(), camera);
        let fault = faults.borrow().reference();
        devices.insert("fault".to_owned(), fault.unwrap_or_else(|| "ok".into()));
        let beat = collection_service::wire::Heartbeat {
            kiosk: cfg.kiosk.id.clone(),
            screen: screen.borrow().key(),
            devices,
            health: Some(
                world
                    .metrics
                    .health(world.clock.now_ms(), &cfg.kiosk.data_dir),
            ),
        };
        let timeout = Duration::from_millis(cfg.service.timeout_ms);
        if let Err(e) = ask(&world, timeout, world.service.heartbeat(&beat)).await {
            debug!(error = %e, "heartbeat not delivered");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collection_service::sim::DEMO_ROSTER;

    #[tokio::test(start_paused = true)]
    async fn a_call_with_no_answer_in_time_is_unavailable() {
        let never = std::future::pending::<Result<(), ServiceError>>();
        let e = bounded(Duration::from_millis(250), never)
            .await
            .unwrap_err();
        assert!(
            e == ServiceError::Unavailable(Outage::Deadline { ms: 250 }),
            "{e}"
        );
    }

    #[test]
    fn failures_become_the_flows_service_failed() {
        let e = ServiceError::Unavailable(Outage::Simulated);
        for op in [ServiceOp::Upload, ServiceOp::Payment] {
            assert_eq!(service_failure(op, &e), Some(Event::ServiceFailed(op)));
        }
    }

    /// The upload call itself leaves the photo in the journal: only the flow's
    /// `DiscardPhotos`, after `Uploaded` is journaled, deletes it. (Deleted here, a kill before
    /// the journal write left an upload to resume with no photo: "the photo to upload is not
    /// in the journal" every few seconds, forever.)
    #[tokio::test]
    async fn the_upload_keeps_the_photo_until_the_flow_discards_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.kiosk.data_dir = dir.path().to_owned();
        let journal = crate::journal::Journal::in_memory().unwrap();
        let (world, _sims) =
            crate::assemble::world(&cfg, journal, kiosk_core::clock::Clock::Wall).unwrap();
        let code = DEMO_ROSTER[0].0;
        let jpeg = image_jpeg();
        world.journal.store_shot(code, 1, &jpeg).unwrap();
        let answer = call(
            world.clone(),
            Duration::from_secs(10),
            Effect::Upload {
                code: code.into(),
                shot: 1,
            },
        )
        .await;
        assert!(matches!(answer, Some(Event::Uploaded { .. })), "{answer:?}");
        assert_eq!(world.journal.photo(code, 1).unwrap(), Some(jpeg));
    }

    fn image_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(480, 640, image::Rgb([100, 197, 255]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&img)
            .unwrap();
        out
    }
}
