//! The client's address, for the sign-in throttle: the socket peer, or, only when the
//! peer is a trusted proxy (`SMARTER_TRUSTED_PROXIES`), the right-most address in
//! `X-Forwarded-For` that is not a trusted proxy. A client can put anything in that
//! header, so only what trusted proxies appended to it is believed.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

pub fn client_address(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    Some(resolve(peer, &forwarded, trusted))
}

/// The client among `peer` and the hops it forwarded for, read from the right.
fn resolve(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => client = ip,
            // A hop a trusted proxy could not have written: stop at the last proxy.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(resolve(ip("10.0.0.5"), &["1.2.3.4"], &[]), ip("10.0.0.5"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_a_forged_hop_is_ignored() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client claims 6.6.6.6; the proxy appended the address it saw.
        assert_eq!(resolve(ip("10.0.0.5"), &["6.6.6.6", "203.0.113.7"], &trusted), ip("203.0.113.7"));
        // Two proxies in a row.
        assert_eq!(resolve(ip("10.0.0.5"), &["203.0.113.7", "10.1.1.1"], &trusted), ip("203.0.113.7"));
        // Garbage appended after a trusted hop stops the walk at that proxy.
        assert_eq!(resolve(ip("10.0.0.5"), &["not-an-ip"], &trusted), ip("10.0.0.5"));
    }
}
