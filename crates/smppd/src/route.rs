//! Choosing the link for a destination: the link a request names, else the longest matching
//! `routes` prefix, else the default route (links with no `routes`). Among links of the same
//! route, one with a bound session is preferred, so messages fail over while a link is down;
//! if none is up, the first keeps them queued until it is.

use crate::link::Link;
use std::sync::Arc;

/// Why no link could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The request named a link that is not configured (or cannot transmit).
    #[error("no transmitting link named {0:?}")]
    UnknownLink(String),
    /// No prefix matches and there is no default route.
    #[error("no route to {0}: no link's routes match and no link is a default route")]
    NoRoute(String),
}

/// The routing table, built once from the links.
#[derive(Debug, Default)]
pub struct Router {
    links: Vec<Arc<Link>>,
}

impl Router {
    /// A router over the links that can transmit, in configuration order.
    pub fn new(links: &[Arc<Link>]) -> Self {
        Router {
            links: links
                .iter()
                .filter(|l| l.config.bind.can_submit())
                .cloned()
                .collect(),
        }
    }

    /// The links that can transmit.
    pub fn links(&self) -> &[Arc<Link>] {
        &self.links
    }

    /// The link for `destination` (E.164 with `+`, or a short code), or the one named.
    pub fn route(&self, destination: &str, named: Option<&str>) -> Result<Arc<Link>, RouteError> {
        if let Some(name) = named {
            return self
                .links
                .iter()
                .find(|l| &*l.name == name)
                .cloned()
                .ok_or_else(|| RouteError::UnknownLink(name.to_owned()));
        }
        let digits = destination.strip_prefix('+').unwrap_or(destination);
        let mut best_len = 0;
        let mut candidates: Vec<&Arc<Link>> = Vec::new();
        for link in &self.links {
            let longest = link
                .config
                .routes
                .iter()
                .filter_map(|prefix| {
                    // "+44" matches "+44..." only; "44" matches the digits either way.
                    let matched = match prefix.strip_prefix('+') {
                        Some(p) => destination.starts_with('+') && digits.starts_with(p),
                        None => digits.starts_with(prefix.as_str()),
                    };
                    matched.then(|| prefix.trim_start_matches('+').len())
                })
                .max();
            match longest {
                Some(len) if len > best_len => {
                    best_len = len;
                    candidates = vec![link];
                }
                Some(len) if len == best_len => candidates.push(link),
                _ => {}
            }
        }
        if candidates.is_empty() {
            candidates = self
                .links
                .iter()
                .filter(|l| l.config.routes.is_empty())
                .collect();
        }
        candidates
            .iter()
            .find(|l| l.sessions_up() > 0)
            .or(candidates.first())
            .map(|l| Arc::clone(l))
            .ok_or_else(|| RouteError::NoRoute(destination.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BindType, LinkConfig};
    use std::time::Instant;

    fn link(name: &str, routes: &[&str], bind: BindType) -> Arc<Link> {
        let mut config = LinkConfig::new(name, "127.0.0.1:1", "id", "pw");
        config.routes = routes.iter().map(|r| r.to_string()).collect();
        config.bind = bind;
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        Arc::new(Link::new(config, tx, Instant::now()))
    }

    #[test]
    fn longest_prefix_then_default_route() {
        let links = [
            link("uk", &["+44"], BindType::Transceiver),
            link("uk-mobile", &["+447"], BindType::Transmitter),
            link("default", &[], BindType::Transceiver),
            link("rx-only", &[], BindType::Receiver),
        ];
        let router = Router::new(&links);
        let name = |dest: &str| router.route(dest, None).map(|l| l.name.to_string());
        assert_eq!(name("+447700900123").unwrap(), "uk-mobile");
        assert_eq!(name("+442079460000").unwrap(), "uk");
        assert_eq!(name("+15551234567").unwrap(), "default");
        assert_eq!(name("447700900123").unwrap(), "default", "+44 needs the +");
        assert_eq!(
            router.route("+1", Some("uk")).unwrap().name.as_ref(),
            "uk",
            "a named link wins"
        );
        assert_eq!(
            router.route("+1", Some("rx-only")).unwrap_err(),
            RouteError::UnknownLink("rx-only".into())
        );
    }

    #[test]
    fn no_default_route_is_an_error() {
        let links = [link("uk", &["44"], BindType::Transceiver)];
        let router = Router::new(&links);
        assert_eq!(
            router.route("+447700900123", None).unwrap().name.as_ref(),
            "uk"
        );
        assert_eq!(
            router.route("+15551234567", None).unwrap_err(),
            RouteError::NoRoute("+15551234567".into())
        );
    }

    #[test]
    fn prefers_a_link_that_is_up_among_equals() {
        let links = [
            link("a", &["+44"], BindType::Transceiver),
            link("b", &["+44"], BindType::Transceiver),
        ];
        let router = Router::new(&links);
        assert_eq!(router.route("+4477", None).unwrap().name.as_ref(), "a");
        links[1].session_up();
        assert_eq!(router.route("+4477", None).unwrap().name.as_ref(), "b");
    }
}
