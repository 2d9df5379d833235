//! The rules serde cannot express: ranges a booth can live with, keys that must agree, facts
//! the screens quote that may not be empty. Each refusal names its key.

use super::*;

impl Config {
    /// Rules serde cannot express. Returns (key, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.metrics
            .addr()
            .map_err(|e| ("metrics.listen".to_owned(), e))?;
        let f = &self.flow;
        if f.max_shots == 0 {
            return Err(("flow.max_shots".into(), "must be at least 1".into()));
        }
        if f.idle_warning_secs >= f.idle_timeout_secs {
            return Err((
                "flow.idle_warning_secs".into(),
                format!(
                    "must be less than flow.idle_timeout_secs ({})",
                    f.idle_timeout_secs
                ),
            ));
        }
        for (key, v) in [
            ("flow.review_poll_secs", u64::from(f.review_poll_secs)),
            ("flow.payment_poll_secs", u64::from(f.payment_poll_secs)),
            ("flow.payment_window_secs", u64::from(f.payment_window_secs)),
            ("flow.pin_attempts", u64::from(f.pin_attempts)),
            ("flow.pin_lock_secs", u64::from(f.pin_lock_secs)),
            ("flow.upload_max_failures", u64::from(f.upload_max_failures)),
            (
                "flow.service_refresh_secs",
                u64::from(f.service_refresh_secs),
            ),
            ("kiosk.keep_days", u64::from(self.kiosk.keep_days)),
            ("logging.keep_days", self.logging.keep_days as u64),
            ("serial.health_interval_ms", self.serial.health_interval_ms),
            ("serial.chair_poll_ms", self.serial.chair_poll_ms),
        ] {
            if v == 0 {
                return Err((key.into(), "must be at least 1".into()));
            }
        }
        if self.service.backend == Backend::Real {
            let loopback = reqwest::Url::parse(&self.service.url)
                .is_ok_and(|u| collection_service::client::is_loopback(&u));
            let https = self.service.url.starts_with("https://");
            let simulator = loopback && self.service.url.starts_with("http://");
            if !(https || simulator) {
                return Err((
                    "service.url".into(),
                    "must start with https:// (plain http only to the loopback simulator)".into(),
                ));
            }
        }
        self.photo.validate()?;
        let (w, h) = self.camera.sim_capture_size;
        if w.min(h) < kiosk_photo::decode::MIN_SIDE
            || u64::from(w) * u64::from(h) > self.photo.max_pixels
        {
            return Err((
                "camera.sim_capture_size".into(),
                format!(
                    "must be at least {0} × {0} and at most photo.max_pixels ({1}) pixels",
                    kiosk_photo::decode::MIN_SIDE,
                    self.photo.max_pixels
                ),
            ));
        }
        let (min, max) = self.qr.token_len;
        if min == 0 || min > max || max > crate::qr::MAX_TOKEN_LEN {
            return Err((
                "qr.token_len".into(),
                format!(
                    "must be [shortest, longest] with 1 ≤ shortest ≤ longest ≤ {}",
                    crate::qr::MAX_TOKEN_LEN
                ),
            ));
        }
        // Ranges a booth can live with: a value outside them is a typo, not a choice (a zero
        // countdown shoots before the graduate is still, a zero preview interval spins a core,
        // a timeout of u64::MAX never notices a camera that hung).
        for (key, v, range, unit) in [
            (
                "camera.capture_timeout_ms",
                self.camera.capture_timeout_ms,
                1_000..=120_000,
                "ms: a DSLR's capture and download of its largest JPEG",
            ),
            (
                "camera.preview_interval_ms",
                self.camera.preview_interval_ms,
                20..=1_000,
                "ms between live-view frames: 50 to 1 per second",
            ),
            (
                "flow.countdown_secs",
                u64::from(f.countdown_secs),
                1..=10,
                "seconds the graduate sees before the shot",
            ),
        ] {
            if !range.contains(&v) {
                return Err((
                    key.into(),
                    format!(
                        "must be {}..={} ({unit}), not {v}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if !(0.5..=60.0).contains(&self.chair.auto_level_max_secs) {
            return Err((
                "chair.auto_level_max_secs".into(),
                "must be 0.5..=60 (seconds of seat travel)".into(),
            ));
        }
        if self.serial.backend == Backend::Real && self.serial.port.path.is_empty() {
            return Err((
                "serial.port.path".into(),
                "must name the serial device".into(),
            ));
        }
        if let Err(e) = crate::pin::check_hash(&self.maintenance.pin_hash) {
            return Err(("maintenance.pin_hash".into(), e.to_string()));
        }
        let real = [
            self.camera.backend,
            self.serial.backend,
            self.service.backend,
        ]
        .contains(&Backend::Real);
        if real && self.maintenance.pin_hash == crate::pin::DEMO_PIN_HASH {
            return Err((
                "maintenance.pin_hash".into(),
                "is still the demo PIN's hash; a booth needs its own: `kiosk maintenance-pin hash`"
                    .into(),
            ));
        }
        self.validate_notice()?;
        self.voice.validate()?;
        self.lights.validate()
    }

    /// Every fact of `[notice]` is shown to graduates: none may be empty.
    fn validate_notice(&self) -> Result<(), (String, String)> {
        let n = &self.notice;
        for (key, words) in [
            ("studio", &n.studio),
            ("studio_address", &n.studio_address),
            ("studio_hours", &n.studio_hours),
            ("deadline", &n.deadline),
            ("info_office", &n.info_office),
        ] {
            for (lang, text) in [("zh", &words.zh), ("en", &words.en)] {
                if text.trim().is_empty() {
                    return Err((
                        format!("notice.{key}.{lang}"),
                        "is empty; the screens quote it to graduates".into(),
                    ));
                }
            }
        }
        if n.price_fen == 0 {
            return Err((
                "notice.price_fen".into(),
                "is 0; the start screen tells graduates what the photo costs, in fen (2000 = ¥20.00)"
                    .into(),
            ));
        }
        if n.info_phone.trim().is_empty() {
            return Err((
                "notice.info_phone".into(),
                "is empty; the confirm screen gives it to graduates whose data is wrong".into(),
            ));
        }
        Ok(())
    }
}
