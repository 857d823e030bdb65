//! A moderator's block: an email, an email domain, an address range or the
//! hashed address of a comment, refused by the posting rules for a while.

use std::net::IpAddr;

use super::validation::{FieldError, ValidationErrors, check_note};

/// Longest block (one year).
pub const BLOCK_HOURS_MAX: u32 = 24 * 366;
/// Longest reason given for a block.
pub const BLOCK_REASON_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Email,
    Domain,
    /// An address or a CIDR range.
    Ip,
    /// The keyed hash of a commenter's address (as shown with a comment).
    IpHash,
}

impl BlockKind {
    /// Every kind as the API spells it.
    pub const NAMES: [&'static str; 4] = ["email", "domain", "ip", "ip_hash"];

    pub fn parse(raw: &str) -> Option<BlockKind> {
        match raw {
            "email" => Some(BlockKind::Email),
            "domain" => Some(BlockKind::Domain),
            "ip" => Some(BlockKind::Ip),
            "ip_hash" => Some(BlockKind::IpHash),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Email => "email",
            BlockKind::Domain => "domain",
            BlockKind::Ip => "ip",
            BlockKind::IpHash => "ip_hash",
        }
    }

    fn accepts(self, value: &str) -> bool {
        match self {
            BlockKind::Email => value.contains('@') && value.len() <= 254,
            BlockKind::Domain => {
                !value.is_empty()
                    && value.len() <= 253
                    && !value.contains(['@', '/'])
                    && !value.chars().any(char::is_whitespace)
            }
            BlockKind::Ip => parse_cidr(value).is_some(),
            BlockKind::IpHash => value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        }
    }
}

/// A block as a front door received it.
#[derive(Debug, Clone, Default)]
pub struct BlockDto {
    pub kind: Option<String>,
    pub value: Option<String>,
    /// Hours; `None` or empty = until removed.
    pub hours: Option<String>,
    pub reason: Option<String>,
}

/// A valid block.
#[derive(Debug, Clone)]
pub struct Block {
    kind: BlockKind,
    value: String,
    hours: Option<u32>,
    reason: Option<String>,
}

impl Block {
    pub fn parse(dto: BlockDto) -> Result<Block, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = BlockKind::parse(dto.kind.as_deref().unwrap_or("").trim());
        if kind.is_none() {
            errors.add("kind", FieldError::new("invalid_choice"));
        }
        let value = dto.value.unwrap_or_default().trim().to_lowercase();
        if kind.is_some_and(|k| !k.accepts(&value)) {
            errors.add("value", FieldError::new("invalid_value"));
        }
        let hours = match dto.hours.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(h) => {
                let h = h
                    .parse::<u32>()
                    .ok()
                    .filter(|h| (1..=BLOCK_HOURS_MAX).contains(h));
                if h.is_none() {
                    errors.add(
                        "hours",
                        FieldError::new("out_of_range")
                            .with("min", 1)
                            .with("max", BLOCK_HOURS_MAX),
                    );
                }
                h
            }
        };
        let reason = dto
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if let Some(r) = &reason
            && let Err(e) = check_note(r, BLOCK_REASON_MAX)
        {
            errors.add("reason", e);
        }
        errors.into_result()?;
        let kind = kind.ok_or_else(ValidationErrors::default)?;
        Ok(Block {
            kind,
            value,
            hours,
            reason,
        })
    }

    pub fn kind(&self) -> BlockKind {
        self.kind
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// When the block ends (unix ms), if it does.
    pub fn expires_at(&self, now: i64) -> Option<i64> {
        self.hours.map(|h| now + i64::from(h) * 3_600_000)
    }
}

/// `1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32` as (network, prefix length).
pub fn parse_cidr(raw: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match raw.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (raw, None),
    };
    let ip: IpAddr = addr.trim().parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some((ip, len))
}

/// The network an address belongs to for the per-network caps: its IPv4
/// /24 or its IPv6 /48 (the usual assignment to one customer or site), as
/// CIDR text. An IPv4-mapped IPv6 address counts as its IPv4 address.
pub fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(IpAddr::V4(v4)),
            None => {
                let [a, b, c, ..] = v6.segments();
                let net = std::net::Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0);
                format!("{net}/48")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_ipv4_slash_24_and_ipv6_slash_48() {
        let net = |s: &str| network_of(s.parse().unwrap());
        assert_eq!(net("203.0.113.7"), "203.0.113.0/24");
        assert_eq!(net("203.0.113.250"), net("203.0.113.1"));
        assert_ne!(net("203.0.114.1"), net("203.0.113.1"));
        assert_eq!(net("2001:db8:1:2::5"), "2001:db8:1::/48");
        assert_eq!(net("2001:db8:1:ffff::1"), net("2001:db8:1::9"));
        assert_ne!(net("2001:db8:2::1"), net("2001:db8:1::1"));
        assert_eq!(net("::ffff:198.51.100.9"), "198.51.100.0/24");
    }

    fn dto(kind: &str, value: &str, hours: &str) -> BlockDto {
        BlockDto {
            kind: Some(kind.into()),
            value: Some(value.into()),
            hours: Some(hours.into()),
            reason: None,
        }
    }

    #[test]
    fn blocks_are_checked_by_kind_and_capped_at_a_year() {
        assert!(Block::parse(dto("domain", "Spam.Example", "24")).is_ok());
        assert!(Block::parse(dto("ip", "10.0.0.0/8", "")).is_ok());
        assert!(Block::parse(dto("email", "a@b.example", "8784")).is_ok());
        for (k, v, h) in [
            ("ip", "not an ip", ""),
            ("domain", "a/b", ""),
            ("nope", "x", ""),
            ("domain", "spam.example", "0"),
            ("domain", "spam.example", "8785"),
            ("ip_hash", "xyz", ""),
        ] {
            assert!(Block::parse(dto(k, v, h)).is_err(), "{k} {v} {h}");
        }
    }
}
