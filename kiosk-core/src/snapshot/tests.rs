//! The snapshot reads every format the kiosk has ever written, and nothing makes it panic.

use super::*;
use crate::flow::MaintenancePanel;

/// Snapshots of every phase written by the unversioned journal (commit b6e0329), one per line.
/// Generated from the flow tests' `at(phase)` states with that commit's `serde_json::to_string`.
const V0: &str = include_str!("../../tests/fixtures/snapshot-v0.jsonl");

fn resume(text: &str) -> (State, u32) {
    match decode(text) {
        Decoded::Resume { state, version } => (*state, version),
        Decoded::Fresh { reason, .. } => panic!("{reason}: {text}"),
    }
}

#[test]
fn every_phase_written_by_the_unversioned_journal_resumes() {
    let mut resumed = 0;
    for line in V0.lines() {
        let (state, version) = resume(line);
        assert_eq!(version, 0);
        let old: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut new: serde_json::Value = serde_json::from_str(&encode(&state)).unwrap();
        assert_eq!(new["version"], VERSION);
        new.as_object_mut().unwrap().remove("version");
        let maintenance = old["phase"]
            .as_object()
            .is_some_and(|p| p.contains_key("ServicePin") || p.contains_key("Service"));
        if maintenance {
            // A restart never resumes the technician's mode.
            assert_eq!(state.phase, Phase::Attract, "{line}");
            assert_eq!(new["session"], old["session"], "{line}");
        } else {
            // Everything else comes back field for field.
            assert_eq!(new, old, "{line}");
            resumed += 1;
        }
    }
    assert_eq!(
        resumed, 24,
        "the fixture covers every graduate-facing phase"
    );
}

#[test]
fn a_mid_session_snapshot_keeps_the_graduate_where_they_were() {
    let line = V0
        .lines()
        .find(|l| l.contains(r#""Showing""#))
        .expect("the fixture has a payment on screen");
    let (state, _) = resume(line);
    let session = state.session.unwrap();
    assert_eq!(session.code.as_deref(), Some("GPK1.token"));
    assert_eq!(session.shots_used, 1);
    assert_eq!(session.order.unwrap().amount_fen, 2000);
    assert!(matches!(state.phase, Phase::Pay(Pay::Showing { .. })));
    assert_eq!(state.lang, Lang::En);
}

#[test]
fn encode_then_decode_is_the_same_state() {
    for line in V0.lines() {
        let (state, _) = resume(line);
        let (again, version) = resume(&encode(&state));
        assert_eq!(version, VERSION);
        assert_eq!(again, state);
    }
}

#[test]
fn maintenance_is_written_without_its_panel_and_restores_to_attract() {
    let mut state = State::new(5);
    state.phase = Phase::Maintenance(MaintenancePanel {
        lights: crate::flow::LightPreset::Glasses,
        report: None,
        busy: true,
        next_refresh_ms: 9,
    });
    let text = encode(&state);
    assert!(text.contains(r#""phase":{"Service":null}"#), "{text}");
    assert_eq!(resume(&text).0.phase, Phase::Attract);
}

#[test]
fn a_newer_version_starts_afresh_and_keeps_the_session_count() {
    let text = r#"{"version":7,"sessions_started":41,"phase":{"Teleport":{}}}"#;
    match decode(text) {
        Decoded::Fresh {
            reason,
            sessions_started,
        } => {
            assert!(reason.contains("newer kiosk"), "{reason}");
            assert!(reason.contains('7'), "{reason}");
            assert_eq!(sessions_started, Some(41));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_snapshots_never_panic() {
    let cases = [
        "",
        "{",
        "null",
        "[]",
        r#"{"version":"one"}"#,
        r#"{"version":-1}"#,
        r#"{"version":1}"#,
        r#"{"version":1,"sessions_started":3,"phase":"Nowhere","lang":"zh","now_ms":1,"last_activity_ms":1,"session":null,"pending_fault":null,"last_refused":null}"#,
        r#"{"version":18446744073709551616}"#,
    ];
    for text in cases {
        assert!(
            matches!(decode(text), Decoded::Fresh { .. }),
            "{text} should not resume"
        );
    }
    // Every prefix of a real snapshot, too.
    let line = V0.lines().nth(20).unwrap();
    for end in 0..line.len() {
        if line.is_char_boundary(end) {
            assert!(matches!(decode(&line[..end]), Decoded::Fresh { .. }));
        }
    }
    match decode(r#"{"version":1,"sessions_started":3,"phase":"Nowhere"}"#) {
        Decoded::Fresh {
            sessions_started, ..
        } => assert_eq!(sessions_started, Some(3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn phase_names_are_the_journal_column_values() {
    let names: Vec<&str> = V0.lines().map(|l| phase_name(&resume(l).0.phase)).collect();
    assert_eq!(names[0], "Attract");
    assert!(names.contains(&"Shoot"));
    assert!(names.contains(&"OutOfService"));
}
