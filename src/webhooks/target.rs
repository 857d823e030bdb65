//! Where a webhook may point. By default only `https` URLs whose host
//! resolves to public addresses: no loopback, private (RFC 1918, unique
//! local), link-local, CGNAT, multicast, unspecified, benchmarking or
//! documentation ranges, including IPv4-mapped and NAT64 IPv6 forms. The
//! check runs when a subscription is created and again on every delivery
//! (through the HTTP client's resolver, so DNS rebinding gains nothing).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use url::{Host, Url};

/// Longest accepted target URL.
const URL_MAX: usize = 2048;
/// How long creating a subscription waits for the host's addresses.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What the operator allows (`[webhooks]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_http: bool,
    pub allow_private_networks: bool,
}

/// Why a target URL is refused; `code()` is the API's field error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("not an absolute http(s) URL")]
    InvalidUrl,
    #[error("only https URLs are accepted")]
    HttpsRequired,
    #[error("credentials in the URL are not accepted")]
    Credentials,
    #[error("the host does not resolve")]
    Unresolvable,
    #[error("the host is or resolves to a private, loopback or link-local address")]
    PrivateAddress,
}

impl TargetError {
    pub fn code(&self) -> &'static str {
        match self {
            TargetError::InvalidUrl => "invalid_url",
            TargetError::HttpsRequired => "https_required",
            TargetError::Credentials => "url_credentials",
            TargetError::Unresolvable => "unresolvable_host",
            TargetError::PrivateAddress => "private_address",
        }
    }
}

/// Whether `ip` is an ordinary public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let [.., a, b, c, d] = v6.octets();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                // IPv4-compatible (deprecated) ::a.b.c.d
                || (s[0..6] == [0, 0, 0, 0, 0, 0])
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments, incl. Teredo
                || s[0] == 0x2002 // 6to4
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])) // discard-only 100::/64
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

impl TargetPolicy {
    fn address_allowed(&self, ip: IpAddr) -> bool {
        self.allow_private_networks || is_public(ip)
    }

    /// Parse a target URL and check its scheme and form (no DNS).
    pub fn parse(&self, raw: &str) -> Result<Url, TargetError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > URL_MAX {
            return Err(TargetError::InvalidUrl);
        }
        let url = Url::parse(raw).map_err(|_| TargetError::InvalidUrl)?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => return Err(TargetError::HttpsRequired),
            _ => return Err(TargetError::InvalidUrl),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Credentials);
        }
        if url.host().is_none() {
            return Err(TargetError::InvalidUrl);
        }
        Ok(url)
    }

    /// A literal address in the URL is checked here; a name is checked by
    /// [`TargetPolicy::check_resolved`] after resolution.
    pub fn check_literal(&self, url: &Url) -> Result<(), TargetError> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err(TargetError::InvalidUrl),
        };
        if self.address_allowed(ip) {
            Ok(())
        } else {
            Err(TargetError::PrivateAddress)
        }
    }

    /// Every resolved address must be allowed (an attacker controlling DNS
    /// could otherwise mix a public and a private answer).
    pub fn check_resolved(&self, addrs: &[SocketAddr]) -> Result<(), TargetError> {
        if addrs.is_empty() {
            return Err(TargetError::Unresolvable);
        }
        if addrs.iter().all(|a| self.address_allowed(a.ip())) {
            Ok(())
        } else {
            Err(TargetError::PrivateAddress)
        }
    }

    /// Full check at creation time: form, then the addresses the host has now.
    pub async fn validate(&self, raw: &str) -> Result<Url, TargetError> {
        let url = self.parse(raw)?;
        self.check_literal(&url)?;
        if let Some(Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let lookup = tokio::net::lookup_host((name, port));
            let addrs: Vec<SocketAddr> = tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
                .await
                .map_err(|_| TargetError::Unresolvable)?
                .map_err(|_| TargetError::Unresolvable)?
                .collect();
            self.check_resolved(&addrs)?;
        }
        Ok(url)
    }
}

/// The HTTP client's resolver: the system resolver, with every answer
/// checked against the policy at connection time.
pub(super) struct CheckedResolver(pub TargetPolicy);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            policy.check_resolved(&addrs)?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        allow_http: false,
        allow_private_networks: false,
    };

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "2002:7f00:1::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn the_strict_policy_wants_https_without_credentials() {
        assert_eq!(
            STRICT.parse("http://example.org/hook"),
            Err(TargetError::HttpsRequired)
        );
        assert_eq!(
            STRICT.parse("ftp://example.org/"),
            Err(TargetError::InvalidUrl)
        );
        assert_eq!(STRICT.parse("not a url"), Err(TargetError::InvalidUrl));
        assert_eq!(
            STRICT.parse("https://u:p@example.org/"),
            Err(TargetError::Credentials)
        );
        assert!(STRICT.parse("https://example.org/hook").is_ok());
    }

    #[test]
    fn literal_private_addresses_are_refused_unless_allowed() {
        for raw in [
            "https://10.0.0.1/",
            "https://127.0.0.1:8443/",
            "https://[::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://0x7f000001/",
        ] {
            let url = STRICT.parse(raw).unwrap();
            assert_eq!(
                STRICT.check_literal(&url),
                Err(TargetError::PrivateAddress),
                "{raw}"
            );
        }
        let open = TargetPolicy {
            allow_http: true,
            allow_private_networks: true,
        };
        let url = open.parse("http://127.0.0.1:9/").unwrap();
        assert!(open.check_literal(&url).is_ok());
    }

    /// What the HTTP client does at every delivery: a name that resolves to
    /// loopback (as a rebinding attacker's would) gets no connection.
    #[tokio::test]
    async fn the_delivery_resolver_refuses_names_of_private_addresses() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = CheckedResolver(STRICT).resolve(name).await;
        let err = refused.err().unwrap().to_string();
        assert!(err.contains("private"), "{err}");
        let open = TargetPolicy {
            allow_http: false,
            allow_private_networks: true,
        };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(CheckedResolver(open).resolve(name).await.is_ok());
    }
}
