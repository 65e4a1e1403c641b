//! Checks of single destination fields: endpoint URLs, stream names, regions, templates.

use std::net::IpAddr;

/// Webhooks must use https; plain http is only for a receiver on this machine.
pub fn check_endpoint_url(raw: &str, webhook: bool) -> Option<String> {
    let url = match url::Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return Some(format!("is not a valid URL ({e})")),
    };
    let host = match url.host() {
        Some(h) => h,
        None => return Some("must name a host".into()),
    };
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(&host) => None,
        "http" => Some(if webhook {
            "must start with https:// (plain http is allowed only for localhost, 127.0.0.0/8 and ::1)".into()
        } else {
            "must use https (plain http is allowed only for localhost, 127.0.0.0/8 and ::1)".into()
        }),
        other => Some(format!("must be an https URL, not {other}")),
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

pub(super) fn check_stream_name(s: &str) -> Option<String> {
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if s.is_empty() || s.len() > 128 || !ok_chars {
        Some("must be 1 to 128 characters of letters, digits, '_', '.' and '-'".into())
    } else {
        None
    }
}

pub(super) fn check_region(r: &str) -> Option<String> {
    let ok_chars = r
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok_chars || !r.contains('-') || !r.ends_with(|c: char| c.is_ascii_digit()) {
        Some("must be an AWS region such as us-east-1".into())
    } else {
        None
    }
}

pub(super) fn check_jmespath(t: &str) -> Option<String> {
    if t.trim().is_empty() {
        return Some("must not be empty".into());
    }
    jmespath::compile(t)
        .err()
        .map(|e| format!("is not a valid JMESPath expression: {e}"))
}
