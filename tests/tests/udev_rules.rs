//! The udev rules parse: every rule is a comma-separated list of KEY[{attr}] OP "value" with
//! keys and operators udev knows, matches before assignments, and the symlinks the kiosk config
//! points at. (Debian 12's udevadm has no `verify`; this is the same check, offline.)

const MATCH_KEYS: &[&str] = &[
    "SUBSYSTEM",
    "ATTRS",
    "ATTR",
    "ENV",
    "KERNEL",
    "ACTION",
    "DRIVERS",
    "SUBSYSTEMS",
];
const ASSIGN_KEYS: &[&str] = &["SYMLINK", "GROUP", "MODE", "OWNER", "ENV", "RUN", "TAG"];

fn parse_rule(line: &str) -> Result<Vec<(String, String, String)>, String> {
    let mut out = Vec::new();
    for part in line.split(", ") {
        let part = part.trim();
        let op_at = part
            .find(['=', '!', '+', ':'])
            .ok_or_else(|| format!("no operator in {part:?}"))?;
        let (key, rest) = part.split_at(op_at);
        let op_len = if rest.starts_with("==")
            || rest.starts_with("!=")
            || rest.starts_with("+=")
            || rest.starts_with(":=")
        {
            2
        } else {
            1
        };
        let (op, value) = rest.split_at(op_len);
        if !(value.starts_with('"') && value.ends_with('"') && value.len() >= 2) {
            return Err(format!("value of {key} is not quoted: {value:?}"));
        }
        let name = key.split('{').next().unwrap_or(key);
        if key.contains('{') && !key.ends_with('}') {
            return Err(format!("unclosed attribute in {key:?}"));
        }
        let known = match op {
            "==" | "!=" => MATCH_KEYS.contains(&name),
            "=" | "+=" | ":=" => ASSIGN_KEYS.contains(&name),
            _ => return Err(format!("unknown operator {op:?} in {part:?}")),
        };
        if !known {
            return Err(format!("{name} with {op} is not a udev key we expect"));
        }
        out.push((
            key.to_owned(),
            op.to_owned(),
            value.trim_matches('"').to_owned(),
        ));
    }
    Ok(out)
}

#[test]
fn udev_rules_parse_and_name_the_kiosk_devices() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../udev-rules/70-photo-kiosk.rules");
    let text = std::fs::read_to_string(path).unwrap();
    let mut symlinks = Vec::new();
    let mut rules = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let rule = parse_rule(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let first_assign = rule
            .iter()
            .position(|(_, op, _)| !op.starts_with(['=', '!']) || op == "=");
        let last_match = rule.iter().rposition(|(_, op, _)| op == "==" || op == "!=");
        if let (Some(a), Some(m)) = (first_assign, last_match) {
            assert!(m < a, "line {}: a match after an assignment", n + 1);
        }
        for (key, _, value) in &rule {
            if key == "SYMLINK" {
                symlinks.push(value.clone());
            }
            if key == "MODE" {
                assert!(
                    value.len() == 4 && value.chars().all(|c| c.is_ascii_digit()),
                    "line {}: MODE {value}",
                    n + 1
                );
            }
        }
        rules += 1;
    }
    assert!(rules >= 5);
    for needed in ["photo-kiosk/bus", "photo-kiosk/lights", "photo-kiosk/chair"] {
        assert!(
            symlinks.iter().any(|s| s == needed),
            "no rule names /dev/{needed}"
        );
    }
    assert!(
        parse_rule("SUBSYSTEM==\"tty\", SYMLINK+=photo").is_err(),
        "the parser rejects broken rules"
    );
}
