//! The client's address behind trusted reverse proxies. Only when the TCP
//! peer is a configured proxy is its forwarding header read, and then from
//! the right: each hop a trusted proxy appended is skipped, and the first
//! hop that is not a trusted proxy is the client. Whatever a client wrote
//! into the header itself lies further left and is never reached, so it
//! cannot choose its own rate-limit bucket.

use crate::config::{ForwardedHeader, ProxyRange, ServerConfig};
use actix_web::http::header::{HeaderMap, HeaderName};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Hops read from the right at most (a longer chain keeps the last proxy reached).
const MAX_HOPS: usize = 32;

/// Which peers may say who the client is, and in which header.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    ranges: Vec<ProxyRange>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// From the `[server]` settings.
    pub fn from_config(config: &ServerConfig) -> TrustedProxies {
        TrustedProxies {
            ranges: config.trusted_proxies.clone(),
            header: config.forwarded_header,
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|r| r.contains(ip))
    }

    /// The client's address: the TCP peer, or behind trusted proxies the
    /// right-most forwarded hop that is not one of them. A hop that names no
    /// address (`unknown`, an obfuscated name, garbage) stops the walk at
    /// the last proxy reached.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.to_canonical();
        if self.ranges.is_empty() || !self.trusts(peer) {
            return Some(peer);
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => values(headers, "x-forwarded-for", parse_node),
            ForwardedHeader::Forwarded => values(headers, "forwarded", forwarded_for),
        };
        let mut client = peer;
        for hop in hops.into_iter().rev().take(MAX_HOPS) {
            let Some(ip) = hop else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// Every comma-separated item of every instance of the header, left to right.
fn values(
    headers: &HeaderMap,
    name: &'static str,
    parse: impl Fn(&str) -> Option<IpAddr>,
) -> Vec<Option<IpAddr>> {
    headers
        .get_all(HeaderName::from_static(name))
        .flat_map(|v| {
            // A header that is not text names nobody.
            let text = v.to_str().unwrap_or("unknown");
            text.split(',')
                .map(|item| parse(item.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The `for=` node of one RFC 7239 element (`for=192.0.2.1;proto=https`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// An address with or without a port: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = node.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    if let Some(inner) = node.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|v6| IpAddr::V6(v6).to_canonical());
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn proxies(ranges: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies {
            ranges: ranges.iter().map(|r| r.parse().unwrap()).collect(),
            header,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn headers_are_ignored_unless_the_peer_is_trusted() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("192.0.2.1"), &h), ip("192.0.2.1"));
        let p = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(p.client(ip("192.0.2.1"), &h), ip("192.0.2.1"));
        assert_eq!(p.client(ip("10.1.2.3"), &h), ip("203.0.113.9"));
        assert_eq!(p.client(None, &h), None);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.0/8", "::1"], ForwardedHeader::XForwardedFor);
        // The client forged the first entry; the proxies appended the rest.
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.66, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        assert_eq!(p.client(ip("::1"), &h), ip("203.0.113.9"));
        // Only proxies in the chain: the left-most one is all that is known.
        let h = headers(&[("x-forwarded-for", "10.0.0.3, 10.0.0.2")]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.3"));
        // A hop that names nobody stops at the last proxy reached.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.0.0.2")]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.2"));
        // No header: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
    }

    #[test]
    fn rfc_7239_for_nodes_with_ports_and_brackets() {
        let p = proxies(&["127.0.0.1"], ForwardedHeader::Forwarded);
        let h = headers(&[(
            "forwarded",
            "for=198.51.100.66, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=127.0.0.1",
        )]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "proto=https;For=\"192.0.2.60:8080\"")]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("192.0.2.60"));
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        // The header the proxies do not write is ignored, whatever it says.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(p.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn ranges_parse_match_and_refuse() {
        let r: ProxyRange = "10.0.0.0/8".parse().unwrap();
        assert!(r.contains("10.255.0.1".parse().unwrap()));
        assert!(r.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!r.contains("11.0.0.1".parse().unwrap()));
        let one: ProxyRange = "192.0.2.7".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.7/32");
        assert!(!one.contains("192.0.2.8".parse().unwrap()));
        let v6: ProxyRange = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        let all: ProxyRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.1".parse().unwrap()));
        for bad in ["10.0.0.1/8", "10.0.0.0/33", "proxy.local", "10.0.0.0/x", ""] {
            assert!(bad.parse::<ProxyRange>().is_err(), "{bad}");
        }
    }
}
