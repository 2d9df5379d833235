//! `kiosk walkthrough` renders every screen of every scripted session: each PNG exists, is not
//! blank, and differs from the one before; the report names each session and the screens it
//! visited, and the happy session reached done.

#[test]
fn walkthrough_renders_every_screen() {
    let out = tempfile::tempdir().unwrap();
    let cfg = kiosk_app::walkthrough::config(kiosk_app::config::Config::default());
    let report = kiosk_app::walkthrough::run(cfg, out.path()).expect("walkthrough");
    assert!(report.reached_done);
    assert!(
        report.layout_checked,
        "the tests build the layout check in (scripts/features.sh)"
    );
    let screens: Vec<&str> = report.visits.iter().map(|v| v.screen.as_str()).collect();
    for needed in [
        "attract",
        "photo-type",
        "prepare",
        "scan",
        "confirm",
        "lighting",
        "rules",
        "chair-raise",
        "chair-good",
        "shoot-ready",
        "shoot-preview-flagged",
        "shoot-preview",
        "review-waiting",
        "pay-showing",
        "done",
        "out-of-service",
        "maintenance-pin",
        "maintenance",
        "maintenance-test-shot",
        // The paths beside the happy one.
        "scan-chsi-code",
        "scan-foreign-code",
        "scan-unknown-code",
        "shoot-failed",
        "review-failed",
        "pay-expired",
        "review-slow",
        "done-review-pending",
        "rules-idle-warning",
        // Leaving where it costs something asks first.
        "shoot-preview-confirm-exit",
        "pay-showing-confirm-exit",
    ] {
        assert!(
            screens.contains(&needed),
            "{needed} not visited: {screens:?}"
        );
        assert!(
            report
                .pngs
                .iter()
                .any(|p| p.ends_with(&format!("-{needed}.png"))),
            "{needed}.png missing"
        );
    }
    let mut previous: Option<image::RgbImage> = None;
    for name in &report.pngs {
        let img = image::open(out.path().join(name)).unwrap().to_rgb8();
        let first = *img.get_pixel(0, 0);
        assert!(img.pixels().any(|p| *p != first), "{name} is blank");
        if let Some(prev) = &previous {
            assert_ne!(
                prev.as_raw(),
                img.as_raw(),
                "{name} equals the PNG before it"
            );
        }
        previous = Some(img);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["reached_done"], true);
    // Each session is named, with the screens it visited and the PNGs it drew.
    let names: Vec<&str> = json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        kiosk_app::walkthrough::SESSIONS
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
    );
    for (session, screen) in [
        ("raw-chsi-code", "scan-chsi-code"),
        ("wrong-code", "scan-unknown-code"),
        ("capture-failure", "shoot-failed"),
        ("all-shots-used", "shoot-preview"),
        ("failed-review", "review-failed"),
        ("payment-expired", "pay-expired"),
        ("payment-expired", "pay-showing-confirm-exit"),
        ("all-shots-used", "shoot-preview-confirm-exit"),
        ("review-too-slow", "done-review-pending"),
        ("idle-timeout", "rules-idle-warning"),
        ("with-glasses", "shoot-ready"),
        ("out-of-service", "out-of-service"),
    ] {
        assert!(
            report
                .visits
                .iter()
                .any(|v| v.session == session && v.screen == screen),
            "{session}: {screen} not visited"
        );
    }
    // Each fault's preview is drawn, flagged: eyes shut, teeth and sitting far aside in
    // `faults`, slumped in `slumped` (the real person on the simulated camera, the real checks).
    let flagged = |session: &str| {
        report
            .sessions
            .iter()
            .find(|s| s.name == session)
            .map_or(0, |s| {
                s.pngs
                    .iter()
                    .filter(|p| p.ends_with("-shoot-preview-flagged.png"))
                    .count()
            })
    };
    assert_eq!(flagged("faults"), 3, "{:?}", report.pngs);
    assert_eq!(flagged("slumped"), 1, "{:?}", report.pngs);
    // Looks of their own, drawn in the session that shows them: the glasses-on ready screen
    // (no 现在请摘下眼镜), and the third photo's preview (no retake left).
    for png in [
        "-with-glasses-shoot-ready.png",
        "-all-shots-used-shoot-preview.png",
    ] {
        assert!(
            report.pngs.iter().any(|p| p.ends_with(png)),
            "no {png}: {:?}",
            report.pngs
        );
    }
}

/// The same session on a portrait (1080 × 1920) screen: every screen drawn at that size.
#[test]
fn walkthrough_renders_portrait() {
    let out = tempfile::tempdir().unwrap();
    let mut cfg = kiosk_app::walkthrough::config(kiosk_app::config::Config::default());
    cfg.display.orientation = kiosk_app::config::Orientation::Portrait;
    let report = kiosk_app::walkthrough::run(cfg, out.path()).expect("walkthrough");
    assert!(report.reached_done);
    assert!(report.pngs.len() >= 40, "{} PNGs", report.pngs.len());
    for name in &report.pngs {
        let (w, h) = image::image_dimensions(out.path().join(name)).unwrap();
        assert_eq!((w, h), (1080, 1920), "{name}");
    }
}
