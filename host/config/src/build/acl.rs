//! `acl.toml`: named lists on top of the built-in ones.

use std::collections::BTreeMap;

use super::FileCtx;
use crate::acl::{AclList, AclLists, AclNode, BUILTIN_LISTS, Decision};
use crate::cidr::Cidr;
use crate::error::Problem;
use crate::raw::{AclFile, Text};

pub(crate) fn build_acls(cx: &mut FileCtx<'_>, raw: &AclFile) -> AclLists {
    let mut lists = AclLists::with_builtins();
    for (name, table) in &raw.lists {
        let section = format!("lists.{name}");
        if BUILTIN_LISTS.contains(&name.as_str()) {
            cx.report(
                &table.span(),
                "lists",
                name,
                Problem::ReservedAclName(name.clone()),
            );
            continue;
        }
        if !cx.name(name, &table.span(), "lists", name) {
            continue;
        }
        let table = table.get_ref();
        let mut seen: BTreeMap<Cidr, Decision> = BTreeMap::new();
        let mut nodes = Vec::new();
        for (key, entries, decision) in [
            ("allow", &table.allow, Decision::Allow),
            ("deny", &table.deny, Decision::Deny),
        ] {
            for entry in entries {
                let Some(cidr) = node_cidr(cx, entry, &section, key) else {
                    continue;
                };
                match seen.insert(cidr, decision) {
                    Some(previous) if previous != decision => cx.report(
                        &entry.span(),
                        &section,
                        key,
                        Problem::AllowAndDeny(cidr.to_string()),
                    ),
                    Some(_) => cx.report(
                        &entry.span(),
                        &section,
                        key,
                        Problem::Duplicate(cidr.to_string()),
                    ),
                    None => nodes.push(AclNode { cidr, decision }),
                }
            }
        }
        lists.insert(AclList::new(name.clone(), table.default, nodes));
    }
    lists
}

fn node_cidr(cx: &mut FileCtx<'_>, entry: &Text, section: &str, key: &str) -> Option<Cidr> {
    let text = cx.text(entry, section, key)?;
    match text.trim().parse::<Cidr>() {
        Ok(cidr) => Some(cidr),
        Err(err) => {
            cx.report(&entry.span(), section, key, err.into());
            None
        }
    }
}

/// Report `name` if it is not a list in `lists`.
pub(crate) fn check_acl_ref(
    cx: &mut FileCtx<'_>,
    lists: &AclLists,
    name: &Text,
    resolved: &str,
    section: &str,
    key: &str,
) {
    if lists.get(resolved).is_none() {
        let known = lists
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        cx.report(
            &name.span(),
            section,
            key,
            Problem::UnknownAcl {
                name: resolved.to_owned(),
                known,
            },
        );
    }
}
