//! The walkthrough's scripted sessions: what the graduate (or technician) does on each screen,
//! and how the simulators are set to make each path happen.

use camera_driver::sim::Pose;
use kiosk_ui::Action;

use crate::config::Config;

#[derive(Clone, Copy, Debug)]
pub(super) enum Do {
    Press(Action),
    PresentQr,
    /// Hold up another code than the graduate's own (a raw 学信网 code, a shop's …).
    ShowQr(&'static str),
    PutAwayQrThen(Action),
    /// Hold the seat button until the eyes are on the guide.
    AdjustSeat,
    /// The graduate leans their head (degrees; 0 straightens it), then touches.
    TiltThenPress(f32, Action),
    /// The graduate looks or sits another way (eyes shut, teeth showing, off to one side),
    /// from the well-seated pose, then touches.
    PoseThenPress(fn(&mut Pose), Action),
    /// The graduate slumps or straightens in the seat (mm taller than the reference
    /// graduate's sitting height, as [`Session::sit_mm`]), then touches.
    SitThenPress(f32, Action),
    /// The camera will refuse the next shot ("PTP Device Busy"); then touch.
    JamThenPress(Action),
    /// Touch "退出拍照" (where leaving costs something, the dialog saying what comes up).
    AskToLeave,
    /// The exit dialog's "stay".
    Stay,
    Wait,
    Unplug,
    Replug,
    EnterPin,
    End,
}

/// A scripted session: on this screen, once it is drawn, do this.
pub struct Session {
    /// Short name, in the PNGs' names.
    pub name: &'static str,
    /// What happens in it.
    pub about: &'static str,
    /// The graduate's sitting height against the reference graduate's, mm.
    pub(super) sit_mm: f32,
    /// Changes to the walkthrough's configuration (the simulators' behaviour).
    pub(super) tune: fn(&mut Config),
    pub(super) script: &'static [(&'static str, Do)],
}

/// The steps from the attract screen to the ready screen, for a graduate who sits at the right
/// height and chooses no glasses (or, with `glasses GlassesYes;` first, keeps them on).
macro_rules! to_the_camera {
    (glasses $glasses:ident; $($rest:tt)*) => {
        &[
            ("attract", Do::Press(Action::Start)),
            ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
            ("prepare", Do::Press(Action::PrepareShoot)),
            ("scan", Do::PresentQr),
            ("confirm", Do::PutAwayQrThen(Action::ConfirmIdentity)),
            ("lighting", Do::Press(Action::$glasses)),
            ("rules", Do::Press(Action::AcceptRules)),
            ("chair-good", Do::Press(Action::ChairReady)),
            $($rest)*
        ]
    };
    ($($rest:tt)*) => {
        to_the_camera![glasses GlassesNo; $($rest)*]
    };
}

fn unchanged(_: &mut Config) {}

/// Every session the walkthrough runs, in order.
pub const SESSIONS: &[Session] = &[
    Session {
        name: "happy",
        about: "a graduate who sits low, leans their head on the first shot, retakes, passes \
                review and pays; the idle warning comes up while they think about glasses",
        sit_mm: -45.0,
        tune: |cfg| {
            // Short enough that the warning appears on the lighting screen, where the script
            // waits for it.
            cfg.flow.idle_timeout_secs = 40;
            cfg.flow.idle_warning_secs = 37;
        },
        script: &[
            ("attract", Do::Press(Action::Start)),
            ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
            ("prepare", Do::Press(Action::PrepareShoot)),
            ("scan", Do::PresentQr),
            ("confirm", Do::PutAwayQrThen(Action::ConfirmIdentity)),
            ("lighting-idle-warning", Do::Press(Action::GlassesNo)),
            ("rules", Do::Press(Action::AcceptRules)),
            // The graduate sits low: the chair step says "raise"; they hold the seat button
            // until it says "good".
            ("chair-raise", Do::AdjustSeat),
            ("chair-good", Do::Press(Action::ChairReady)),
            // The first shot with the head tilted: the preview flags it and offers the retake
            // first.
            ("shoot-ready", Do::TiltThenPress(8.0, Action::TakePhoto)),
            (
                "shoot-preview-flagged",
                Do::TiltThenPress(0.0, Action::Retake),
            ),
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::UsePhoto)),
            ("pay-showing", Do::Wait),
            ("done", Do::Press(Action::Finish)),
            ("attract", Do::End),
        ],
    },
    Session {
        name: "raw-chsi-code",
        about: "the graduate holds up the 学信网 image-collection code, then their own",
        sit_mm: 0.0,
        tune: unchanged,
        script: &[
            ("attract", Do::Press(Action::Start)),
            ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
            ("prepare", Do::Press(Action::PrepareShoot)),
            (
                "scan",
                Do::ShowQr("https://my.chsi.com.cn/archive/wap/gdjy/index.action?c=AB12CD34"),
            ),
            ("scan-chsi-code", Do::PresentQr),
            ("confirm", Do::PutAwayQrThen(Action::Cancel)),
            ("attract", Do::End),
        ],
    },
    Session {
        name: "wrong-code",
        about: "a payment code, then a shooting code the service does not know",
        sit_mm: 0.0,
        tune: unchanged,
        script: &[
            ("attract", Do::Press(Action::Start)),
            ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
            ("prepare", Do::Press(Action::PrepareShoot)),
            ("scan", Do::ShowQr("wxp://f2f0Xq8vF3kP7y1S9mZ2")),
            (
                "scan-foreign-code",
                Do::ShowQr("GPK1.DEMO-NOBODY-KNOWS-0099"),
            ),
            ("scan-unknown-code", Do::PutAwayQrThen(Action::Cancel)),
            ("attract", Do::End),
        ],
    },
    Session {
        name: "faults",
        about: "three shots, each with something the checks must flag: eyes shut, teeth \
                showing, sitting far to one side (each preview offers the retake first)",
        sit_mm: 0.0,
        tune: unchanged,
        script: to_the_camera![
            (
                "shoot-ready",
                Do::PoseThenPress(|p| p.eyes_closed = true, Action::TakePhoto)
            ),
            ("shoot-preview-flagged", Do::Press(Action::Retake)),
            (
                "shoot-ready",
                Do::PoseThenPress(|p| p.teeth = true, Action::TakePhoto)
            ),
            ("shoot-preview-flagged", Do::Press(Action::Retake)),
            (
                "shoot-ready",
                Do::PoseThenPress(|p| p.off_centre = -0.5, Action::TakePhoto)
            ),
            ("shoot-preview-flagged", Do::End),
        ],
    },
    Session {
        name: "slumped",
        about: "the graduate slumps in the seat after the chair step: the preview says to \
                raise the seat",
        sit_mm: 0.0,
        tune: unchanged,
        script: to_the_camera![
            (
                "shoot-ready",
                // 190 mm lower than when the chair step put their eyes on the line (0.3 frame
                // heights).
                Do::SitThenPress(-190.0, Action::TakePhoto)
            ),
            ("shoot-preview-flagged", Do::End),
        ],
    },
    Session {
        name: "capture-failure",
        about: "the camera does not take the shot (busy); the graduate tries again",
        sit_mm: 0.0,
        tune: unchanged,
        script: to_the_camera![
            ("shoot-ready", Do::JamThenPress(Action::TakePhoto)),
            ("shoot-failed", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::End),
        ],
    },
    Session {
        name: "all-shots-used",
        about: "the graduate retakes twice; the third photo has no retake left; on the \
                first photo they touch 退出拍照, read what it costs and stay",
        sit_mm: 0.0,
        tune: unchanged,
        script: to_the_camera![
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::AskToLeave),
            ("shoot-preview-confirm-exit", Do::Stay),
            ("shoot-preview", Do::Press(Action::Retake)),
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::Retake)),
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::End),
        ],
    },
    Session {
        name: "failed-review",
        about: "the reviewer fails the first photo (hair over the eyebrows); the graduate \
                retakes and the second passes",
        sit_mm: 0.0,
        tune: |cfg| cfg.service.sim.fail_reviews = 1,
        script: to_the_camera![
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::UsePhoto)),
            ("review-failed", Do::Press(Action::Retake)),
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::UsePhoto)),
            ("pay-showing", Do::End),
        ],
    },
    Session {
        name: "payment-expired",
        about: "the graduate touches 退出拍照 on the pay screen, reads what it costs and stays; \
                they do not pay, the order expires and they ask for a new one",
        sit_mm: 0.0,
        tune: |cfg| {
            cfg.service.sim.auto_pay_ms = None;
            cfg.service.sim.order_ttl_ms = Some(1_500);
        },
        script: to_the_camera![
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::UsePhoto)),
            ("pay-showing", Do::AskToLeave),
            ("pay-showing-confirm-exit", Do::Stay),
            ("pay-showing", Do::Wait),
            ("pay-expired", Do::Press(Action::RetryPayment)),
            ("pay-showing", Do::End),
        ],
    },
    Session {
        name: "review-too-slow",
        about: "the review takes longer than expected, then longer than the kiosk waits",
        sit_mm: 0.0,
        tune: |cfg| {
            cfg.flow.review_expected_secs = 1;
            cfg.flow.review_timeout_secs = 4;
            cfg.service.sim.review_ms = 600_000;
        },
        script: to_the_camera![
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::Press(Action::UsePhoto)),
            ("review-slow", Do::Wait),
            ("done-review-pending", Do::Press(Action::Finish)),
            ("attract", Do::End),
        ],
    },
    Session {
        name: "with-glasses",
        about: "a graduate who keeps their glasses on: the glasses light, a ready screen \
                without 现在请摘下眼镜, the glasses-glare check on the preview",
        sit_mm: 0.0,
        tune: unchanged,
        script: to_the_camera![
            glasses GlassesYes;
            ("shoot-ready", Do::Press(Action::TakePhoto)),
            ("shoot-preview", Do::End),
        ],
    },
    Session {
        name: "idle-timeout",
        about: "the graduate walks away on the rules screen; the warning, then the start",
        sit_mm: 0.0,
        tune: |cfg| {
            cfg.flow.idle_timeout_secs = 6;
            cfg.flow.idle_warning_secs = 4;
        },
        script: &[
            ("attract", Do::Press(Action::Start)),
            ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
            ("prepare", Do::Press(Action::PrepareShoot)),
            ("scan", Do::PresentQr),
            ("confirm", Do::PutAwayQrThen(Action::ConfirmIdentity)),
            ("lighting", Do::Press(Action::GlassesYes)),
            ("rules", Do::Wait),
            ("rules-idle-warning", Do::Wait),
            ("attract", Do::End),
        ],
    },
    Session {
        name: "out-of-service",
        about: "a technician pulls the camera's cable, plugs it back, opens maintenance mode \
                (hidden corner, PIN), takes a test shot and leaves",
        sit_mm: 0.0,
        tune: unchanged,
        script: &[
            ("attract", Do::Unplug),
            ("out-of-service", Do::Replug),
            ("attract", Do::Press(Action::MaintenanceGesture)),
            ("maintenance-pin", Do::EnterPin),
            ("maintenance", Do::Press(Action::MaintenanceTestShot)),
            ("maintenance-test-shot", Do::Press(Action::MaintenanceExit)),
            ("attract", Do::End),
        ],
    },
];
