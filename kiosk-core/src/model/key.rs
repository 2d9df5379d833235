//! A short key naming what is on screen: the screen and, where it has them, its stage
//! (`shoot-countdown`, `scan-expired-code`, `pay-showing-idle-warning`). The walkthrough's file
//! names, the tests, the headless kiosk's screen log and the heartbeat's `screen` use it.

use super::{
    DoneKind, PayStage, ReviewStage, ScanNotice, Screen, ScreenModel, SeatHint, ShootStage,
};

impl ScreenModel {
    /// The key of what this model puts on screen.
    pub fn key(&self) -> String {
        let stage = match self.screen {
            Screen::Scan => self.scan_notice.map(|n| match n {
                ScanNotice::Checking => "checking",
                // Each refusal says something else: each is its own screen.
                ScanNotice::RawChsiCode => "chsi-code",
                ScanNotice::ForeignCode => "foreign-code",
                ScanNotice::SeveralCodes => "several-codes",
                ScanNotice::UnknownCode => "unknown-code",
                ScanNotice::ExpiredCode => "expired-code",
                ScanNotice::NoShotsLeft => "no-shots-left",
                ScanNotice::ServiceUnavailable => "service-unavailable",
            }),
            // What the live view says about the seat is what the chair screen is about.
            Screen::Chair => self.seat_hint.map(|h| match h {
                SeatHint::NoFace => "no-face",
                SeatHint::Raise => "raise",
                SeatHint::Lower => "lower",
                SeatHint::Good => "good",
            }),
            Screen::Shoot => Some(match self.shoot_stage {
                ShootStage::Ready => "ready",
                ShootStage::Countdown => "countdown",
                ShootStage::Capturing => "capturing",
                // A photo a check flagged is its own screen: retake is primary there.
                ShootStage::Preview if self.photo_flagged => "preview-flagged",
                ShootStage::Preview => "preview",
                ShootStage::Failed => "failed",
            }),
            Screen::Review => Some(match self.review_stage {
                ReviewStage::Uploading => "uploading",
                ReviewStage::Waiting if self.review_overdue => "slow",
                ReviewStage::Waiting => "waiting",
                ReviewStage::Failed => "failed",
                ReviewStage::Refused => "refused",
                ReviewStage::Unreachable => "unreachable",
            }),
            Screen::Pay => Some(match self.pay_stage {
                PayStage::Creating => "creating",
                PayStage::Showing => "showing",
                PayStage::Expired => "expired",
                PayStage::Failed => "failed",
            }),
            Screen::Done => (self.done_kind == DoneKind::ReviewPending).then_some("review-pending"),
            Screen::Maintenance => self.maintenance.as_ref().and_then(|v| {
                if v.checks.is_empty() {
                    Some("checking")
                } else if v.test_shot.is_some() {
                    Some("test-shot")
                } else {
                    None
                }
            }),
            _ => None,
        };
        // The screen's stable name, in the key's kebab case.
        let mut key = self.screen.name().replace('_', "-");
        if let Some(stage) = stage {
            key.push('-');
            key.push_str(stage);
        }
        if self.idle_warning_secs.is_some() {
            key.push_str("-idle-warning");
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_names_the_screen_its_stage_and_an_idle_warning() {
        let shoot = ScreenModel {
            screen: Screen::Shoot,
            shoot_stage: ShootStage::Countdown,
            ..ScreenModel::default()
        };
        assert_eq!(shoot.key(), "shoot-countdown");
        let scan = ScreenModel {
            screen: Screen::Scan,
            scan_notice: Some(ScanNotice::ExpiredCode),
            idle_warning_secs: Some(10),
            ..ScreenModel::default()
        };
        assert_eq!(scan.key(), "scan-expired-code-idle-warning");
        let out = ScreenModel {
            screen: Screen::OutOfService,
            ..ScreenModel::default()
        };
        assert_eq!(out.key(), "out-of-service");
    }
}
