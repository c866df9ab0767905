//! Whether a remote's host name resolves, asked once before its first
//! request. A name that does not resolve (no network, a typo in a mirror
//! URL) cannot start working between retries, so it fails at once, in one
//! line, instead of after object_store's backoff and its chain of causes.
//! Behind a proxy the proxy resolves names, so nothing is asked here.

use std::net::ToSocketAddrs;
use std::sync::OnceLock;

/// A host to look up, and the answer once asked.
#[derive(Debug)]
pub struct Host {
    name: String,
    port: u16,
    failure: OnceLock<Option<String>>,
}

impl Host {
    /// The host of an http(s) `url`, unless it is an address already.
    pub fn of(url: &url::Url) -> Option<Host> {
        let port = url.port_or_known_default()?;
        match url.host()? {
            url::Host::Domain(name) => Some(Host {
                name: name.to_string(),
                port,
                failure: OnceLock::new(),
            }),
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why the name does not resolve, or `None` when it does (asked once).
    pub fn failure(&self) -> Option<&str> {
        let ask = || match (self.name.as_str(), self.port).to_socket_addrs() {
            Ok(addrs) if addrs.len() > 0 => None,
            Ok(_) => Some("no address found".to_string()),
            Err(e) => Some(e.to_string()),
        };
        self.failure.get_or_init(ask).as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_not_looked_up() {
        for url in ["http://127.0.0.1:9000/x", "https://[::1]/x", "file:///srv"] {
            assert!(Host::of(&url::Url::parse(url).unwrap()).is_none(), "{url}");
        }
    }

    #[test]
    fn a_reserved_name_never_resolves() {
        // RFC 6761: `.invalid` names never resolve, online or not.
        let host = Host::of(&url::Url::parse("https://mirror.invalid/x").unwrap()).unwrap();
        assert_eq!(host.name(), "mirror.invalid");
        assert!(host.failure().is_some());
    }

    #[test]
    fn localhost_resolves() {
        let host = Host::of(&url::Url::parse("http://localhost:1/").unwrap()).unwrap();
        assert_eq!(host.failure(), None);
    }
}
