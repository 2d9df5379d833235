//! The kiosk's decoder on the generated corpus: every class decodes, and nothing is ever
//! reported that is not in the frame.

use kiosk_e2e::qr_corpus::{Difficulty, generate};

#[test]
fn every_hard_class_decodes_and_nothing_is_invented() {
    let samples = generate(3, 7);
    let mut found = 0;
    let mut coded = 0;
    for s in &samples {
        let codes = kiosk_app::qr::decode_image(&s.jpeg).unwrap();
        match &s.payload {
            Some(p) => {
                coded += 1;
                assert!(
                    codes.iter().all(|c| c == p),
                    "{}: false positive {codes:?}",
                    s.name
                );
                if codes.contains(p) {
                    found += 1;
                } else {
                    eprintln!("{}: not decoded", s.name);
                }
            }
            None => assert!(
                codes.is_empty(),
                "{}: decoded {codes:?} from a frame with no code",
                s.name
            ),
        }
    }
    assert!(found * 100 >= coded * 90, "decoded {found} of {coded}");
    for d in [
        Difficulty::Clean,
        Difficulty::Rotated,
        Difficulty::Negative,
        Difficulty::LowContrast,
    ] {
        for s in samples.iter().filter(|s| s.difficulty == d) {
            let codes = kiosk_app::qr::decode_image(&s.jpeg).unwrap();
            assert_eq!(codes.first(), s.payload.as_ref(), "{}", s.name);
        }
    }
}
