//! Masking personal data before it reaches a log or a screen: 张**三, *****8746, GPK1.ab…(40).

/// Mask a name: first and last character kept, the middle replaced by two stars (张**三).
/// Two-character names keep the first (张*). Already-masked input stays masked.
pub fn name(full: &str) -> String {
    let chars: Vec<char> = full.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        _ => format!("{}**{}", chars[0], chars[chars.len() - 1]),
    }
}

/// Mask an ID number: only the last four characters are kept (*****8746).
pub fn id_number(full: &str) -> String {
    let chars: Vec<char> = full.trim().chars().collect();
    let keep = chars.len().min(4);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("*****{tail}")
}

/// A token or QR payload for logs: its first six characters and its length, never the rest.
pub fn token(payload: &str) -> String {
    let head: String = payload.chars().take(6).collect();
    format!("{head}…({})", payload.chars().count())
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::name("张伟三"), "张**三");
        assert_eq!(super::name("欧阳娜娜"), "欧**娜");
        assert_eq!(super::name("李雷"), "李*");
        assert_eq!(super::name("张**三"), "张**三");
        assert_eq!(super::id_number("110105200001018746"), "*****8746");
        assert_eq!(super::id_number("*****8746"), "*****8746");
        assert_eq!(super::token("GPK1.SECRETSECRETSECRET"), "GPK1.S…(23)");
    }
}
