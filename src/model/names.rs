//! Name rules shared by projects, destinations and topics: letters, digits and dashes.

pub const TOPIC_NAME_MAX: usize = 64;
pub const DESTINATION_NAME_MAX: usize = 128;
pub const PROJECT_NAME_MAX: usize = 64;

/// `None` when `name` is acceptable, else why not.
pub fn check_name(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".into());
    }
    if name.chars().count() > max {
        return Some(format!("must be at most {max} characters long"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Some(format!(
            "may contain only letters, digits and dashes; '{bad}' is not allowed"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_digits_dashes_only() {
        assert_eq!(check_name("lead-Converted-1", 64), None);
        assert!(check_name("", 64).is_some());
        assert!(check_name("has space", 64).is_some());
        assert!(check_name("under_score", 64).is_some());
        assert!(check_name("é", 64).is_some());
        assert!(check_name(&"a".repeat(65), 64).is_some());
        assert_eq!(check_name(&"a".repeat(64), 64), None);
    }
}
