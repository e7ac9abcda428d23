//! Access control lists: named lists of allowed and denied prefixes, evaluated the
//! FreeSWITCH way (the most specific matching prefix decides; otherwise the default).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;

use crate::cidr::Cidr;

/// The outcome of an ACL check, also used for the list default and node types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The address is allowed.
    Allow,
    /// The address is denied.
    Deny,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        })
    }
}

/// One `allow` or `deny` entry of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AclNode {
    /// The prefix this entry covers.
    pub cidr: Cidr,
    /// What a match means.
    pub decision: Decision,
}

/// A named list: `default allow|deny` plus nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclList {
    /// The list name used by `apply-inbound-acl` and friends.
    pub name: String,
    /// Decision for addresses no node covers.
    pub default: Decision,
    /// Nodes, kept sorted longest prefix first so the first match is the most specific.
    nodes: Vec<AclNode>,
    /// True for the lists witswitch defines itself (`loopback`, `rfc1918`, ...).
    pub builtin: bool,
}

impl AclList {
    /// A list from its nodes (any order).
    pub fn new(name: impl Into<String>, default: Decision, mut nodes: Vec<AclNode>) -> AclList {
        // Longest prefix first; equal prefixes keep their written order (stable sort),
        // and the loader refuses one prefix listed as both allow and deny.
        nodes.sort_by_key(|node| std::cmp::Reverse(node.cidr.prefix_len()));
        AclList {
            name: name.into(),
            default,
            nodes,
            builtin: false,
        }
    }

    /// The nodes, most specific first.
    pub fn nodes(&self) -> &[AclNode] {
        &self.nodes
    }

    /// Decide for one source address: the node with the longest matching prefix
    /// wins; with no match the list default applies.
    pub fn evaluate(&self, addr: IpAddr) -> Decision {
        self.nodes
            .iter()
            .find(|node| node.cidr.contains(addr))
            .map_or(self.default, |node| node.decision)
    }
}

/// Names of the lists every configuration has without writing them.
pub const BUILTIN_LISTS: [&str; 5] = ["any", "none", "loopback", "rfc1918", "localnet"];

/// All ACL lists by name, the built-in ones included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclLists {
    lists: BTreeMap<String, AclList>,
}

impl Default for AclLists {
    fn default() -> Self {
        AclLists::with_builtins()
    }
}

impl AclLists {
    /// Only the built-in lists:
    /// - `any`: allows everything; `none`: denies everything;
    /// - `loopback`: 127.0.0.0/8 and ::1;
    /// - `rfc1918`: 10/8, 172.16/12, 192.168/16 (RFC 1918 private IPv4);
    /// - `localnet`: every non-public address: loopback, RFC 1918, 100.64/10
    ///   (RFC 6598 shared space), 169.254/16 and fe80::/10 (link-local), fc00::/7
    ///   (RFC 4193 unique local). FreeSWITCH's `localnet.auto` is the host's own
    ///   subnet instead; the config crate reads no interfaces, so it is static here.
    pub fn with_builtins() -> AclLists {
        let loopback = ["127.0.0.0/8", "::1/128"];
        let rfc1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
        let other_local = ["100.64.0.0/10", "169.254.0.0/16", "fe80::/10", "fc00::/7"];
        let localnet: Vec<&str> = loopback
            .iter()
            .chain(&rfc1918)
            .chain(&other_local)
            .copied()
            .collect();
        let mut lists = AclLists {
            lists: BTreeMap::new(),
        };
        lists.insert_builtin("any", Decision::Allow, &[]);
        lists.insert_builtin("none", Decision::Deny, &[]);
        lists.insert_builtin("loopback", Decision::Deny, &loopback);
        lists.insert_builtin("rfc1918", Decision::Deny, &rfc1918);
        lists.insert_builtin("localnet", Decision::Deny, &localnet);
        lists
    }

    fn insert_builtin(&mut self, name: &str, default: Decision, allowed: &[&str]) {
        let nodes = allowed
            .iter()
            .filter_map(|text| text.parse::<Cidr>().ok())
            .map(|cidr| AclNode {
                cidr,
                decision: Decision::Allow,
            })
            .collect();
        let mut list = AclList::new(name, default, nodes);
        list.builtin = true;
        self.lists.insert(name.to_owned(), list);
    }

    /// Add or replace a list.
    pub fn insert(&mut self, list: AclList) {
        self.lists.insert(list.name.clone(), list);
    }

    /// The list called `name` (names are case-sensitive, as in FreeSWITCH).
    pub fn get(&self, name: &str) -> Option<&AclList> {
        self.lists.get(name)
    }

    /// All lists in name order.
    pub fn iter(&self) -> impl Iterator<Item = &AclList> {
        self.lists.values()
    }

    /// Evaluate `addr` against the list `name`; `None` if there is no such list.
    pub fn evaluate(&self, name: &str, addr: IpAddr) -> Option<Decision> {
        self.get(name).map(|list| list.evaluate(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn node(cidr: &str, decision: Decision) -> AclNode {
        AclNode {
            cidr: cidr.parse().unwrap(),
            decision,
        }
    }

    #[test]
    fn most_specific_prefix_wins_regardless_of_order() {
        // Written broad-first and narrow-first: same result either way.
        for nodes in [
            vec![
                node("10.0.0.0/8", Decision::Deny),
                node("10.1.0.0/16", Decision::Allow),
                node("10.1.2.0/24", Decision::Deny),
                node("10.1.2.3/32", Decision::Allow),
            ],
            vec![
                node("10.1.2.3/32", Decision::Allow),
                node("10.1.2.0/24", Decision::Deny),
                node("10.1.0.0/16", Decision::Allow),
                node("10.0.0.0/8", Decision::Deny),
            ],
        ] {
            let list = AclList::new("t", Decision::Allow, nodes);
            assert_eq!(list.evaluate(ip("10.9.9.9")), Decision::Deny);
            assert_eq!(list.evaluate(ip("10.1.9.9")), Decision::Allow);
            assert_eq!(list.evaluate(ip("10.1.2.9")), Decision::Deny);
            assert_eq!(list.evaluate(ip("10.1.2.3")), Decision::Allow);
            assert_eq!(list.evaluate(ip("192.0.2.1")), Decision::Allow, "default");
        }
    }

    #[test]
    fn default_applies_without_match_for_both_families() {
        let list = AclList::new(
            "v6",
            Decision::Deny,
            vec![node("2001:db8::/32", Decision::Allow)],
        );
        assert_eq!(list.evaluate(ip("2001:db8::5")), Decision::Allow);
        assert_eq!(list.evaluate(ip("2001:db9::5")), Decision::Deny);
        assert_eq!(list.evaluate(ip("10.0.0.1")), Decision::Deny);
    }

    #[test]
    fn mapped_ipv4_is_evaluated_as_ipv4() {
        let lists = AclLists::with_builtins();
        assert_eq!(
            lists.evaluate("loopback", ip("::ffff:127.0.0.1")),
            Some(Decision::Allow)
        );
    }

    #[test]
    fn builtin_lists() {
        let lists = AclLists::with_builtins();
        for name in BUILTIN_LISTS {
            assert!(lists.get(name).is_some_and(|l| l.builtin), "{name}");
        }
        let check = |list: &str, addr: &str| lists.evaluate(list, ip(addr));
        assert_eq!(check("loopback", "127.0.0.1"), Some(Decision::Allow));
        assert_eq!(check("loopback", "::1"), Some(Decision::Allow));
        assert_eq!(check("loopback", "10.0.0.1"), Some(Decision::Deny));
        assert_eq!(check("rfc1918", "172.20.0.1"), Some(Decision::Allow));
        assert_eq!(check("rfc1918", "172.32.0.1"), Some(Decision::Deny));
        assert_eq!(check("rfc1918", "127.0.0.1"), Some(Decision::Deny));
        assert_eq!(check("localnet", "100.64.1.1"), Some(Decision::Allow));
        assert_eq!(check("localnet", "fd00::1"), Some(Decision::Allow));
        assert_eq!(check("localnet", "203.0.113.1"), Some(Decision::Deny));
        assert_eq!(check("any", "203.0.113.1"), Some(Decision::Allow));
        assert_eq!(check("none", "127.0.0.1"), Some(Decision::Deny));
        assert_eq!(check("nosuch", "127.0.0.1"), None);
        assert_eq!(lists.get("localnet").map(|l| l.nodes().len()), Some(9));
    }
}
