//! What to play when: the prompts' texts and [`cues`], which decides from two successive screen
//! models. Pure; the tests walk it over every step.

use kiosk_core::model::{
    DoneKind, Lang, PayStage, ReviewStage, ScanNotice, Screen, ScreenModel, ShootStage,
};

/// One spoken prompt in both languages.
#[derive(Clone, Copy, Debug)]
pub struct Prompt {
    /// File stem, and the name tests use.
    pub key: &'static str,
    /// What is said in Chinese.
    pub zh: &'static str,
    /// What is said in English.
    pub en: &'static str,
}

impl Prompt {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

const fn p(key: &'static str, zh: &'static str, en: &'static str) -> Prompt {
    Prompt { key, zh, en }
}

/// Every prompt. Short: one breath each, saying what to do now. The screens say the rest.
pub const PROMPTS: &[Prompt] = &[
    p(
        "photo-type",
        "请选择照片类型。",
        "Please choose the photo type.",
    ),
    p(
        "prepare",
        "拍摄前请整理好仪容，准备好手机上的拍摄二维码。",
        "Before the photo, tidy your hair and collar, and have your shooting QR code ready.",
    ),
    p(
        "scan",
        "请把手机上的拍摄二维码对准相机。",
        "Hold the shooting QR code on your phone up to the camera.",
    ),
    p(
        "scan-chsi-code",
        "这是学信网的采集码，请打开小程序里的拍摄二维码。",
        "This is the CHSI collection code. Please open the shooting code in the mini-program.",
    ),
    p(
        "scan-several-codes",
        "镜头前有多个拍摄二维码，请只出示您自己的二维码。",
        "There is more than one code in view. Please show only your own.",
    ),
    p(
        "scan-refused",
        "这个二维码不能使用，请看屏幕上的说明。",
        "This code cannot be used here. Please read the screen.",
    ),
    p("confirm", "请核对您的信息。", "Please check your details."),
    p(
        "lighting",
        "您平时戴眼镜吗？请选择。",
        "Do you wear glasses? Please choose.",
    ),
    p("rules", "请阅读拍摄要求。", "Please read the photo rules."),
    p(
        "chair",
        "请调整座椅，让眼睛对准屏幕上的横线。",
        "Adjust the seat so that your eyes are on the line on the screen.",
    ),
    p(
        "glasses-off",
        "现在请摘下眼镜。",
        "Please take your glasses off now.",
    ),
    p(
        "shoot-ready",
        "确定调整好之后，请按拍照按钮。",
        "When you are ready, press the photo button.",
    ),
    p(
        "shoot-preview",
        "请查看照片，选择使用或者重拍。",
        "Please check the photo: use it, or take another.",
    ),
    p(
        "shoot-failed",
        "这次没有拍到照片，不计次数，请再试一次。",
        "The photo was not taken and does not count. Please try again.",
    ),
    p(
        "review",
        "正在审核照片，大约一分钟，请不要离开。",
        "Your photo is being checked, about one minute. Please do not leave.",
    ),
    p(
        "review-failed",
        "照片没有通过审核，请查看原因。",
        "The photo did not pass. Please see why on the screen.",
    ),
    p(
        "review-unsent",
        "照片没有提交，也不会收费，请看屏幕上的说明。",
        "The photo was not sent and you will not be charged. Please read the screen.",
    ),
    p(
        "pay",
        "审核通过，请用微信扫码付款。",
        "Your photo passed. Please pay by scanning the code with WeChat.",
    ),
    p(
        "pay-expired",
        "付款码已过期，请重新生成付款码。",
        "The payment code has expired. Please get a new one.",
    ),
    p("done", "拍摄完成，谢谢！", "All done. Thank you!"),
    p(
        "done-review-pending",
        "照片已提交，审核结果将在小程序中通知您。",
        "Your photo has been sent. The mini-program will tell you the result.",
    ),
    p(
        "out-of-service",
        "本机暂停服务，您已用的次数和付款都不会丢失，请看屏幕上的说明。",
        "This booth is out of service. Your shots and payment are kept. Please read the screen.",
    ),
    p(
        "idle-warning",
        "您还在吗？请触摸屏幕继续。",
        "Are you still there? Touch the screen to continue.",
    ),
];

/// The prompt called `key`.
pub fn prompt(key: &str) -> Option<&'static Prompt> {
    PROMPTS.iter().find(|p| p.key == key)
}

/// Something to play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// A prompt (its key), in a language.
    Say(&'static str, Lang),
    /// One number of the countdown.
    Beep,
    /// The photo is being taken.
    Shutter,
}

impl Cue {
    /// The name its recording gets: `scan.zh`, `beep`, `shutter`.
    pub fn name(&self) -> String {
        match self {
            Cue::Say(key, Lang::Zh) => format!("{key}.zh"),
            Cue::Say(key, Lang::En) => format!("{key}.en"),
            Cue::Beep => "beep".into(),
            Cue::Shutter => "shutter".into(),
        }
    }
}

/// The step's prompt for a screen, if it has one. Technicians' screens have none.
fn step_prompt(m: &ScreenModel) -> Option<&'static str> {
    Some(match m.screen {
        Screen::Attract | Screen::MaintenancePin | Screen::Maintenance => return None,
        Screen::PhotoType => "photo-type",
        Screen::Prepare => "prepare",
        Screen::Scan => match m.scan_notice {
            None | Some(ScanNotice::Checking) => "scan",
            Some(ScanNotice::RawChsiCode) => "scan-chsi-code",
            Some(ScanNotice::SeveralCodes) => "scan-several-codes",
            Some(_) => "scan-refused",
        },
        Screen::Confirm => "confirm",
        Screen::Lighting => "lighting",
        Screen::Rules => "rules",
        Screen::Chair => "chair",
        Screen::Shoot => match m.shoot_stage {
            ShootStage::Ready => "shoot-ready",
            // Beeps and the shutter; the preview's prompt follows.
            ShootStage::Countdown | ShootStage::Capturing => return None,
            ShootStage::Preview => "shoot-preview",
            ShootStage::Failed => "shoot-failed",
        },
        Screen::Review => match m.review_stage {
            ReviewStage::Uploading | ReviewStage::Waiting => "review",
            ReviewStage::Failed => "review-failed",
            ReviewStage::Refused | ReviewStage::Unreachable => "review-unsent",
        },
        Screen::Pay => match m.pay_stage {
            PayStage::Creating => return None,
            PayStage::Showing => "pay",
            PayStage::Expired | PayStage::Failed => "pay-expired",
        },
        Screen::Done => match m.done_kind {
            DoneKind::Paid => "done",
            DoneKind::ReviewPending => "done-review-pending",
        },
        Screen::OutOfService => "out-of-service",
    })
}

/// What to play when the screen goes from `before` to `now`, in order. A step's prompt plays
/// when the step (or its language) changes; "glasses off" comes before the ready screen's
/// prompt for a graduate who chose to be photographed without glasses; each countdown number
/// beeps; the shutter sounds when the capture starts; the idle warning speaks when it appears.
pub fn cues(before: &ScreenModel, now: &ScreenModel) -> Vec<Cue> {
    let mut out = Vec::new();
    if now.idle_warning_secs.is_some() && before.idle_warning_secs.is_none() {
        out.push(Cue::Say("idle-warning", now.lang));
    }
    let changed = step_prompt(now) != step_prompt(before) || now.lang != before.lang;
    if let Some(key) = step_prompt(now).filter(|_| changed) {
        let entering_ready = key == "shoot-ready"
            && !(before.screen == Screen::Shoot && before.shoot_stage == ShootStage::Ready);
        if entering_ready && now.glasses == Some(false) && now.shots_used == 0 {
            out.push(Cue::Say("glasses-off", now.lang));
        }
        out.push(Cue::Say(key, now.lang));
    }
    let counting =
        |m: &ScreenModel| m.screen == Screen::Shoot && m.shoot_stage == ShootStage::Countdown;
    if counting(now) && (!counting(before) || now.countdown != before.countdown) {
        out.push(Cue::Beep);
    }
    let shooting = |m: &ScreenModel| {
        m.screen == Screen::Shoot
            && matches!(m.shoot_stage, ShootStage::Capturing | ShootStage::Preview)
    };
    if shooting(now) && counting(before) {
        out.push(Cue::Shutter);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(screen: Screen) -> ScreenModel {
        ScreenModel {
            screen,
            ..ScreenModel::default()
        }
    }

    fn said(cues: &[Cue]) -> Vec<&'static str> {
        cues.iter()
            .filter_map(|c| match c {
                Cue::Say(k, _) => Some(*k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_prompt_key_is_unique_and_said_by_some_screen() {
        let mut keys: Vec<_> = PROMPTS.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PROMPTS.len());
        for p in PROMPTS {
            assert!(!p.zh.is_empty() && !p.en.is_empty() && p.zh.chars().count() <= 40);
        }
    }

    #[test]
    fn each_step_speaks_once_on_entry_and_again_in_the_other_language() {
        let attract = at(Screen::Attract);
        let rules = at(Screen::Rules);
        assert_eq!(cues(&attract, &rules), vec![Cue::Say("rules", Lang::Zh)]);
        assert_eq!(cues(&rules, &rules), vec![]);
        let en = ScreenModel {
            lang: Lang::En,
            ..rules.clone()
        };
        assert_eq!(cues(&rules, &en), vec![Cue::Say("rules", Lang::En)]);
        assert_eq!(cues(&rules, &attract), vec![], "the start screen is quiet");
        assert_eq!(cues(&attract, &at(Screen::Maintenance)), vec![]);
    }

    #[test]
    fn a_refused_code_says_why_and_a_chsi_code_says_what_to_open() {
        let scan = at(Screen::Scan);
        let with = |n| ScreenModel {
            scan_notice: Some(n),
            ..scan.clone()
        };
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::RawChsiCode))),
            ["scan-chsi-code"]
        );
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::UnknownCode))),
            ["scan-refused"]
        );
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::Checking))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn glasses_off_comes_before_the_ready_prompt_only_for_the_first_shot_without_glasses() {
        let chair = ScreenModel {
            glasses: Some(false),
            ..at(Screen::Chair)
        };
        let ready = ScreenModel {
            screen: Screen::Shoot,
            shoot_stage: ShootStage::Ready,
            ..chair.clone()
        };
        assert_eq!(said(&cues(&chair, &ready)), ["glasses-off", "shoot-ready"]);
        let with_glasses = |m: &ScreenModel| ScreenModel {
            glasses: Some(true),
            ..m.clone()
        };
        assert_eq!(
            said(&cues(&with_glasses(&chair), &with_glasses(&ready))),
            ["shoot-ready"]
        );
        let preview = ScreenModel {
            shoot_stage: ShootStage::Preview,
            shots_used: 1,
            ..ready.clone()
        };
        let retake = ScreenModel {
            shots_used: 1,
            ..ready.clone()
        };
        assert_eq!(said(&cues(&preview, &retake)), ["shoot-ready"]);
    }

    #[test]
    fn the_countdown_beeps_per_number_and_the_shutter_sounds_once() {
        let ready = ScreenModel {
            screen: Screen::Shoot,
            shoot_stage: ShootStage::Ready,
            ..ScreenModel::default()
        };
        let count = |n| ScreenModel {
            shoot_stage: ShootStage::Countdown,
            countdown: n,
            ..ready.clone()
        };
        let capturing = ScreenModel {
            shoot_stage: ShootStage::Capturing,
            ..ready.clone()
        };
        let preview = ScreenModel {
            shoot_stage: ShootStage::Preview,
            ..ready.clone()
        };
        assert_eq!(cues(&ready, &count(3)), vec![Cue::Beep]);
        assert_eq!(cues(&count(3), &count(2)), vec![Cue::Beep]);
        assert_eq!(cues(&count(2), &count(2)), vec![]);
        assert_eq!(cues(&count(1), &capturing), vec![Cue::Shutter]);
        assert_eq!(
            cues(&capturing, &preview),
            vec![Cue::Say("shoot-preview", Lang::Zh)]
        );
        // A capture so quick the capturing stage was never seen.
        assert_eq!(
            cues(&count(1), &preview),
            vec![Cue::Say("shoot-preview", Lang::Zh), Cue::Shutter]
        );
    }

    #[test]
    fn the_idle_warning_speaks_when_it_appears() {
        let rules = at(Screen::Rules);
        let warned = ScreenModel {
            idle_warning_secs: Some(10),
            ..rules.clone()
        };
        assert_eq!(said(&cues(&rules, &warned)), ["idle-warning"]);
        let later = ScreenModel {
            idle_warning_secs: Some(9),
            ..rules.clone()
        };
        assert_eq!(cues(&warned, &later), vec![]);
    }
}
