//! The network policy: which addresses deliveries may connect to. Checked at connect time,
//! after name resolution (a resolver that drops forbidden answers), so a name that later
//! resolves elsewhere (DNS rebinding) gains nothing; literal addresses are checked before
//! connecting, and when a destination is created. Link-local and cloud metadata
//! addresses are refused unless allowed; private ranges, loopback and listed subnets as
//! the settings say (`[delivery.network]`). Svix's `whitelist_subnets` is the anchor.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Words every refusal's message carries: how a refused attempt is told apart.
pub const REFUSED: &str = "refused by the network policy";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct NetworkPolicy {
    /// Refuse private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7).
    pub deny_private: bool,
    /// Refuse loopback (127/8, ::1).
    pub deny_loopback: bool,
    /// Further subnets to refuse.
    pub deny: Vec<IpNet>,
    /// Subnets allowed whatever else says (e.g. a metadata service on purpose).
    pub allow: Vec<IpNet>,
    /// Names resolved to these addresses instead of asking DNS (like /etc/hosts).
    pub hosts: BTreeMap<String, IpAddr>,
    /// Ask the system's resolver for names not in `hosts` (default). Off, such a name does
    /// not resolve: a node on a closed network (or a test) never sends a DNS query.
    #[serde(default = "yes")]
    pub system_dns: bool,
}

fn yes() -> bool {
    true
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy {
            deny_private: false,
            deny_loopback: false,
            deny: Vec::new(),
            allow: Vec::new(),
            hosts: BTreeMap::new(),
            system_dns: true,
        }
    }
}

/// Why a name does not resolve when the system's resolver is not asked.
pub const NOT_IN_HOSTS: &str = "does not resolve: not in `hosts` and system-dns is off";

/// Always refused unless allowed: link-local (where cloud metadata services live) and
/// AWS's IPv6 metadata address.
fn always_refused(ip: IpAddr) -> bool {
    let metadata_v6: IpNet = "fd00:ec2::254/128".parse().expect("a valid net");
    let link_local_v6: IpNet = "fe80::/10".parse().expect("a valid net");
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(_) => link_local_v6.contains(&ip) || metadata_v6.contains(&ip),
    }
}

fn is_private(ip: IpAddr) -> bool {
    const PRIVATE: [&str; 5] = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
    ];
    PRIVATE
        .iter()
        .any(|net| net.parse::<IpNet>().is_ok_and(|n| n.contains(&ip)))
}

impl NetworkPolicy {
    /// Why `ip` may not be connected to; None when it may.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        // An IPv4 address in IPv6 clothing is judged as itself.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        if self.allow.iter().any(|n| n.contains(&ip)) {
            return None;
        }
        let why = if always_refused(ip) {
            "a link-local or cloud metadata address".to_string()
        } else if let Some(net) = self.deny.iter().find(|n| n.contains(&ip)) {
            format!("in the denied subnet {net}")
        } else if self.deny_loopback && ip.is_loopback() {
            "a loopback address (deny-loopback)".to_string()
        } else if self.deny_private && is_private(ip) {
            "a private address (deny-private)".to_string()
        } else {
            return None;
        };
        Some(format!("{ip} is {why}: {REFUSED}"))
    }

    /// The refusal of a URL's host when it is a literal address (a name is judged when it
    /// is resolved).
    pub fn literal_refusal(&self, host: &str) -> Option<String> {
        let ip: IpAddr = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?;
        self.refusal(ip)
    }
}

/// Resolves names (`hosts` first, then the system's resolver) and keeps only the addresses
/// the policy allows; none left is an error saying why.
#[derive(Clone)]
pub struct PolicyResolver {
    policy: Arc<NetworkPolicy>,
    system: GaiResolver,
}

impl PolicyResolver {
    pub fn new(policy: Arc<NetworkPolicy>) -> PolicyResolver {
        PolicyResolver {
            policy,
            system: GaiResolver::new(),
        }
    }
}

type Addrs = std::vec::IntoIter<SocketAddr>;

impl tower::Service<Name> for PolicyResolver {
    type Response = Addrs;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Addrs, std::io::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.system.poll_ready(cx)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = self.policy.clone();
        let fixed = policy.hosts.get(name.as_str()).copied();
        let lookup = (fixed.is_none() && policy.system_dns).then(|| self.system.call(name.clone()));
        Box::pin(async move {
            let found: Vec<SocketAddr> = match (fixed, lookup) {
                (Some(ip), _) => vec![SocketAddr::new(ip, 0)],
                (None, Some(lookup)) => lookup.await?.collect(),
                (None, None) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("{name} {NOT_IN_HOSTS}"),
                    ))
                }
            };
            let mut refusals = Vec::new();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.refusal(a.ip()) {
                    Some(why) => {
                        refusals.push(why);
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() && !refusals.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{name} resolves to {}", refusals.join("; ")),
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}

/// The same resolver for reqwest (the Kinesis sink's client).
impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let mut resolver = self.clone();
        let name: Result<Name, _> = name.as_str().parse();
        Box::pin(async move {
            let name = name.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let addrs = tower::ServiceExt::oneshot(&mut resolver, name).await?;
            Ok(Box::new(addrs) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_link_local_are_refused_unless_allowed() {
        let p = NetworkPolicy::default();
        for ip in [
            "169.254.169.254",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
        ] {
            assert!(p.refusal(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in ["127.0.0.1", "10.1.2.3", "93.184.216.34"] {
            assert!(p.refusal(ip.parse().unwrap()).is_none(), "{ip}");
        }
        let allowing = NetworkPolicy {
            allow: vec!["169.254.170.2/32".parse().unwrap()],
            ..Default::default()
        };
        assert!(allowing.refusal("169.254.170.2".parse().unwrap()).is_none());
        assert!(allowing
            .refusal("169.254.169.254".parse().unwrap())
            .is_some());
    }

    #[test]
    fn private_loopback_and_listed_subnets_as_configured() {
        let p = NetworkPolicy {
            deny_private: true,
            deny_loopback: true,
            deny: vec!["203.0.113.0/24".parse().unwrap()],
            ..Default::default()
        };
        for ip in [
            "10.0.0.1",
            "172.20.1.1",
            "192.168.1.1",
            "fd12::1",
            "127.0.0.1",
            "::1",
            "203.0.113.9",
        ] {
            let why = p
                .refusal(ip.parse().unwrap())
                .unwrap_or_else(|| panic!("{ip} allowed"));
            assert!(why.contains(REFUSED));
        }
        assert!(p.refusal("93.184.216.34".parse().unwrap()).is_none());
        assert!(p.literal_refusal("[::1]").is_some());
        assert!(p.literal_refusal("example.com").is_none());
    }
}
