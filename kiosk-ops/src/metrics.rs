//! Prometheus metrics for a fleet: sessions by outcome, step durations, shots, reviews,
//! payments, device health, the upload backlog, the service's last answer and the build, in
//! the OpenMetrics text format on `metrics.listen` (loopback by default).
//!
//! Fed from the same [`kiosk_core::ops::Observed`] events the log lines come from, so a metric
//! and the log line that explains it never disagree. `deploy/monitoring/` has the scrape
//! config, the alert rules (unit-tested with promtool) and a dashboard.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use collection_service::wire::KioskHealth;
use kiosk_core::flow::{Device, Phase, Review, SessionOutcome, State};
use kiosk_core::model::Screen;
use kiosk_core::ops::{self, Observed};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};

/// `[metrics]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSection {
    /// Where Prometheus scrapes `/metrics` (`host:port`); empty: no endpoint. Keep it on
    /// loopback or a management network: the figures say when the booth is busy.
    pub listen: String,
}

impl Default for MetricsSection {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9464".into(),
        }
    }
}

impl MetricsSection {
    /// The address to serve on, if any; an unparsable one is the config error of
    /// `metrics.listen`.
    pub fn addr(&self) -> Result<Option<SocketAddr>, String> {
        if self.listen.trim().is_empty() {
            return Ok(None);
        }
        self.listen
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| format!("{:?} is not host:port ({e})", self.listen))
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Step {
    step: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckName {
    check: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Result_ {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Fault {
    device: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Part {
    part: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Build {
    version: String,
    kiosk: String,
}

/// The kiosk's metrics. Cheap to update from any task.
pub struct Metrics {
    registry: Registry,
    sessions_started: Counter,
    sessions: Family<Outcome, Counter>,
    steps: Family<Step, Histogram>,
    step_entered: Family<Step, Counter>,
    shots: Counter,
    checks_failed: Family<CheckName, Counter>,
    capture_failures: Counter,
    reviews: Family<Result_, Counter>,
    payments: Family<Result_, Counter>,
    paid_fen: Counter,
    device_faults: Family<Fault, Counter>,
    device_up: Family<Part, Gauge>,
    out_of_service: Gauge,
    upload_backlog: Gauge,
    service_errors: Family<Result_, Counter>,
    service_last_ok: Gauge<f64, AtomicU64>,
    service_since_ok: Gauge<f64, AtomicU64>,
    started_at: Gauge<f64, AtomicU64>,
    disk_free: Gauge,
    /// The step on screen and when it began (for the step histogram).
    current_step: Mutex<Option<(Screen, u64)>>,
}

/// Step durations from a second to half an hour.
const STEP_BUCKETS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 1800.0,
];

impl Metrics {
    /// Fresh metrics for kiosk `kiosk`, started at `now_ms`.
    pub fn new(kiosk: &str, now_ms: u64) -> Self {
        let mut registry = Registry::with_prefix("kiosk");
        let m = Self {
            sessions_started: Counter::default(),
            sessions: Family::default(),
            steps: Family::new_with_constructor(|| Histogram::new(STEP_BUCKETS)),
            step_entered: Family::default(),
            shots: Counter::default(),
            checks_failed: Family::default(),
            capture_failures: Counter::default(),
            reviews: Family::default(),
            payments: Family::default(),
            paid_fen: Counter::default(),
            device_faults: Family::default(),
            device_up: Family::default(),
            out_of_service: Gauge::default(),
            upload_backlog: Gauge::default(),
            service_errors: Family::default(),
            service_last_ok: Gauge::default(),
            service_since_ok: Gauge::default(),
            started_at: Gauge::default(),
            disk_free: Gauge::default(),
            current_step: Mutex::new(None),
            registry: Registry::default(),
        };
        let reg = &mut registry;
        reg.register(
            "sessions_started",
            "Sessions begun (start pressed)",
            m.sessions_started.clone(),
        );
        reg.register(
            "sessions",
            format!(
                "Sessions ended, by outcome ({})",
                SessionOutcome::ALL.map(SessionOutcome::as_str).join(", ")
            ),
            m.sessions.clone(),
        );
        reg.register_with_unit(
            "step_duration",
            "Time graduates spend on each step",
            prometheus_client::registry::Unit::Seconds,
            m.steps.clone(),
        );
        reg.register(
            "step_entered",
            "Times a session reached each step (the funnel)",
            m.step_entered.clone(),
        );
        reg.register("shots", "Shots taken (counted ones)", m.shots.clone());
        reg.register(
            "photo_checks_failed",
            "Shots that failed one of the kiosk's photo checks, by check",
            m.checks_failed.clone(),
        );
        reg.register(
            "capture_failures",
            "Captures the camera did not deliver (not counted as shots)",
            m.capture_failures.clone(),
        );
        reg.register(
            "reviews",
            "Review outcomes (passed, failed, timed_out)",
            m.reviews.clone(),
        );
        reg.register(
            "payments",
            "Payment outcomes (paid, expired, order_failed)",
            m.payments.clone(),
        );
        reg.register("paid_fen", "Money taken, fen", m.paid_fen.clone());
        reg.register(
            "device_faults",
            "Device faults by device and kind (a camera disconnecting counts here)",
            m.device_faults.clone(),
        );
        reg.register(
            "device_up",
            "1 when the part answers, 0 when it is faulted (camera, lights, chair, service)",
            m.device_up.clone(),
        );
        reg.register(
            "out_of_service",
            "1 while the kiosk shows the out-of-service screen",
            m.out_of_service.clone(),
        );
        reg.register(
            "upload_backlog",
            "Photos chosen for review that the service does not hold yet",
            m.upload_backlog.clone(),
        );
        reg.register(
            "service_errors",
            "Failed collection-service calls by kind (unavailable, refused, rejected)",
            m.service_errors.clone(),
        );
        reg.register_with_unit(
            "service_last_success_timestamp",
            "When the collection service last answered (Unix time)",
            prometheus_client::registry::Unit::Seconds,
            m.service_last_ok.clone(),
        );
        reg.register_with_unit(
            "service_since_success",
            "Time since the collection service last answered (since start if never)",
            prometheus_client::registry::Unit::Seconds,
            m.service_since_ok.clone(),
        );
        reg.register_with_unit(
            "start_time",
            "When this kiosk process started (Unix time)",
            prometheus_client::registry::Unit::Seconds,
            m.started_at.clone(),
        );
        reg.register_with_unit(
            "data_dir_free",
            "Free space where the journal and photos live",
            prometheus_client::registry::Unit::Bytes,
            m.disk_free.clone(),
        );
        let build = Family::<Build, Gauge>::default();
        build
            .get_or_create(&Build {
                version: env!("CARGO_PKG_VERSION").into(),
                kiosk: kiosk.into(),
            })
            .set(1);
        reg.register("build_info", "The kiosk's version and id", build);
        for device in ["camera", "lights", "chair", "service"] {
            m.device_up.get_or_create(&part(device)).set(1);
        }
        // Series that exist from the start at zero, so rates and alerts work from the first
        // scrape rather than from the first time something happens.
        for outcome in SessionOutcome::ALL {
            let _ = m.sessions.get_or_create(&Outcome {
                outcome: outcome.as_str().into(),
            });
        }
        for step in Screen::SESSION {
            let _ = m.step_entered.get_or_create(&step_label(step));
            let _ = m.steps.get_or_create(&step_label(step));
        }
        for result in ["passed", "failed", "timed_out"] {
            let _ = m.reviews.get_or_create(&Result_ {
                result: result.into(),
            });
        }
        for result in ["paid", "expired", "order_failed"] {
            let _ = m.payments.get_or_create(&Result_ {
                result: result.into(),
            });
        }
        m.started_at.set(now_ms as f64 / 1e3);
        Self { registry, ..m }
    }

    /// Count what one flow transition meant.
    pub fn observe(&self, o: &Observed, now_ms: u64) {
        match o {
            Observed::SessionStarted => {
                self.sessions_started.inc();
            }
            Observed::StepEntered { step } => {
                self.end_step(now_ms, Some(*step));
                self.step_entered.get_or_create(&step_label(*step)).inc();
            }
            Observed::SessionEnded { outcome, .. } => {
                self.end_step(now_ms, None);
                self.sessions
                    .get_or_create(&Outcome {
                        outcome: outcome.as_str().into(),
                    })
                    .inc();
            }
            Observed::ShotTaken { failed, .. } => {
                self.shots.inc();
                for check in failed {
                    self.checks_failed
                        .get_or_create(&CheckName {
                            check: check.clone(),
                        })
                        .inc();
                }
            }
            Observed::CaptureFailed(_) => {
                self.capture_failures.inc();
            }
            Observed::ReviewPassed => self.count(&self.reviews, "passed"),
            Observed::ReviewFailed(_) => self.count(&self.reviews, "failed"),
            Observed::ReviewTimedOut => self.count(&self.reviews, "timed_out"),
            Observed::Paid { amount_fen } => {
                self.count(&self.payments, "paid");
                self.paid_fen.inc_by(u64::from(*amount_fen));
            }
            Observed::PaymentExpired => self.count(&self.payments, "expired"),
            Observed::OrderFailed => self.count(&self.payments, "order_failed"),
            Observed::DeviceFault(device, kind) => {
                self.device_faults
                    .get_or_create(&Fault {
                        device: device.name().into(),
                        kind: kind.name().into(),
                    })
                    .inc();
            }
            _ => {}
        }
    }

    fn count(&self, family: &Family<Result_, Counter>, result: &str) {
        family
            .get_or_create(&Result_ {
                result: result.into(),
            })
            .inc();
    }

    /// Close the step on screen (its time into the histogram) and open `next`.
    fn end_step(&self, now_ms: u64, next: Option<Screen>) {
        let mut current = self.current_step.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((step, since)) = current.take() {
            self.steps
                .get_or_create(&step_label(step))
                .observe(now_ms.saturating_sub(since) as f64 / 1e3);
        }
        *current = next.map(|s| (s, now_ms));
    }

    /// The gauges that follow the flow's state and the devices' faults.
    pub fn follow(&self, state: &State, faults: &[(Device, kiosk_core::flow::FaultKind)]) {
        self.out_of_service
            .set(i64::from(matches!(state.phase, Phase::OutOfService { .. })));
        self.upload_backlog.set(i64::from(matches!(
            state.phase,
            Phase::Review(Review::Uploading { .. })
        )));
        for device in [Device::Camera, Device::Lights, Device::Chair] {
            let up = !faults.iter().any(|(d, _)| *d == device);
            self.device_up
                .get_or_create(&part(device.name()))
                .set(i64::from(up));
        }
    }

    /// A service call came back at `now_ms`, failed with `error` (`unavailable`, `refused`,
    /// `rejected`) or not. Only `unavailable` means no contact: a refusal is an answer.
    pub fn service_answered(&self, now_ms: u64, error: Option<&'static str>) {
        if let Some(kind) = error {
            self.service_errors
                .get_or_create(&Result_ {
                    result: kind.into(),
                })
                .inc();
        }
        let reached = error != Some("unavailable");
        if reached {
            self.service_last_ok.set(now_ms as f64 / 1e3);
        }
        self.device_up
            .get_or_create(&part("service"))
            .set(i64::from(reached));
    }

    /// Bring the clock-derived gauges up to `now_ms` and measure the free space of `data_dir`.
    fn refresh(&self, now_ms: u64, data_dir: &std::path::Path) {
        let now = now_ms as f64 / 1e3;
        let last = match self.service_last_ok.get() {
            0.0 => self.started_at.get(),
            t => t,
        };
        self.service_since_ok.set((now - last).max(0.0));
        if let Some(free) = crate::disk::free_bytes(data_dir) {
            self.disk_free.set(i64::try_from(free).unwrap_or(i64::MAX));
        }
    }

    /// The health gauges as the heartbeat carries them: the same numbers a scrape at `now_ms`
    /// would show.
    pub fn health(&self, now_ms: u64, data_dir: &std::path::Path) -> KioskHealth {
        self.refresh(now_ms, data_dir);
        let up = |p: &str| self.device_up.get(&part(p)).is_none_or(|g| g.get() == 1);
        KioskHealth {
            out_of_service: self.out_of_service.get() == 1,
            parts_up: ["camera", "lights", "chair", "service"]
                .into_iter()
                .map(|p| (p.to_owned(), up(p)))
                .collect(),
            upload_backlog: u32::try_from(self.upload_backlog.get()).unwrap_or(0),
            service_since_success_secs: self.service_since_ok.get().round() as u64,
            data_dir_free_bytes: u64::try_from(self.disk_free.get()).unwrap_or(0),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The OpenMetrics text, with the clock-derived gauges brought up to `now_ms` and the
    /// free space of `data_dir` measured.
    pub fn render(&self, now_ms: u64, data_dir: &std::path::Path) -> String {
        self.refresh(now_ms, data_dir);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

fn part(name: &str) -> Part {
    Part { part: name.into() }
}

fn step_label(step: Screen) -> Step {
    Step {
        step: step.name().into(),
    }
}

/// Serve `/metrics` on `addr` until the task is dropped. A port in use is logged (with a code)
/// and the kiosk goes on without metrics: graduates come first.
pub async fn serve(
    addr: SocketAddr,
    metrics: std::sync::Arc<Metrics>,
    data_dir: std::path::PathBuf,
) -> std::io::Result<()> {
    use axum::http::header;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(code = ops::code::METRICS_SERVING, %addr, "metrics at http://{addr}/metrics");
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (metrics, data_dir) = (metrics.clone(), data_dir.clone());
            async move {
                let body = metrics.render(kiosk_core::clock::now_ms(), &data_dir);
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    body,
                )
            }
        }),
    );
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::flow::FaultKind;

    #[test]
    fn a_session_shows_in_the_counters_and_the_step_histogram() {
        let m = Metrics::new("k1", 1_000);
        m.observe(&Observed::SessionStarted, 1_000);
        m.observe(&Observed::StepEntered { step: Screen::Scan }, 1_000);
        m.observe(
            &Observed::StepEntered {
                step: Screen::Confirm,
            },
            13_500,
        );
        m.observe(
            &Observed::ShotTaken {
                shot: 1,
                failed: vec!["eyes_open".into()],
            },
            14_000,
        );
        m.observe(&Observed::Paid { amount_fen: 2000 }, 15_000);
        m.observe(
            &Observed::SessionEnded {
                outcome: SessionOutcome::Paid,
                last_step: Screen::Done,
                shots: 1,
            },
            16_000,
        );
        m.observe(
            &Observed::DeviceFault(Device::Camera, FaultKind::Disconnected),
            17_000,
        );
        let text = m.render(20_000, std::path::Path::new("."));
        for line in [
            "kiosk_sessions_started_total 1",
            "kiosk_sessions_total{outcome=\"paid\"} 1",
            "kiosk_step_entered_total{step=\"scan\"} 1",
            // 12.5 s on the scan step: in the 20 s bucket, not the 10 s one.
            "kiosk_step_duration_seconds_bucket{le=\"10.0\",step=\"scan\"} 0",
            "kiosk_step_duration_seconds_bucket{le=\"20.0\",step=\"scan\"} 1",
            "kiosk_step_duration_seconds_sum{step=\"confirm\"} 2.5",
            "kiosk_shots_total 1",
            "kiosk_photo_checks_failed_total{check=\"eyes_open\"} 1",
            "kiosk_payments_total{result=\"paid\"} 1",
            "kiosk_paid_fen_total 2000",
            "kiosk_device_faults_total{device=\"camera\",kind=\"disconnected\"} 1",
            "kiosk_service_since_success_seconds 19.0",
            "kiosk_build_info{version=",
            "# EOF",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
    }

    #[test]
    fn gauges_follow_the_state_and_the_faults() {
        let m = Metrics::new("k1", 0);
        let mut state = State::new(0);
        state.phase = Phase::OutOfService {
            reference: "camera-disconnected".into(),
        };
        m.follow(&state, &[(Device::Camera, FaultKind::Disconnected)]);
        m.service_answered(5_000, Some("unavailable"));
        let text = m.render(10_000, std::path::Path::new("."));
        for line in [
            "kiosk_out_of_service 1",
            "kiosk_device_up{part=\"camera\"} 0",
            "kiosk_device_up{part=\"lights\"} 1",
            "kiosk_device_up{part=\"service\"} 0",
            "kiosk_service_errors_total{result=\"unavailable\"} 1",
        ] {
            assert!(text.contains(line), "no {line:?} in\n{text}");
        }
        m.service_answered(8_000, None);
        let text = m.render(10_000, std::path::Path::new("."));
        assert!(
            text.contains("kiosk_device_up{part=\"service\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kiosk_service_since_success_seconds 2.0"),
            "{text}"
        );
    }

    #[test]
    fn the_listen_address_is_checked() {
        let mut s = MetricsSection::default();
        assert!(s.addr().unwrap().unwrap().ip().is_loopback());
        s.listen = String::new();
        assert_eq!(s.addr(), Ok(None));
        s.listen = "localhost".into();
        assert!(s.addr().unwrap_err().contains("host:port"));
    }
}
