//! Ordered `;name=value` parameter lists, used by URIs and typed headers
//! (RFC 3261 §19.1.1 uri-parameters, §25.1 generic-param).

use std::fmt;

/// One parameter. The value is kept as received (a quoted-string value keeps
/// its quotes) so that printing reproduces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Parameter name; compared case-insensitively.
    pub name: String,
    /// `None` for a flag parameter such as `lr` or `rport`.
    pub value: Option<String>,
}

/// Parameters in received order; names compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    list: Vec<Param>,
}

impl Params {
    /// An empty list.
    pub fn new() -> Params {
        Params::default()
    }

    /// `Some(Some(v))` for `name=v`, `Some(None)` for a bare `name`, `None`
    /// when absent.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.find(name).map(|p| p.value.as_deref())
    }

    /// The value of `name` when present with a value.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).flatten()
    }

    /// True when `name` is present, with or without a value.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Sets `name` (replacing an existing one in place, else appending).
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        let value = value.map(str::to_owned);
        match self
            .list
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => p.value = value,
            None => self.list.push(Param {
                name: name.to_owned(),
                value,
            }),
        }
    }

    /// Appends a parameter without looking for an existing one.
    pub fn push(&mut self, name: impl Into<String>, value: Option<String>) {
        self.list.push(Param {
            name: name.into(),
            value,
        });
    }

    /// Removes every `name`; true when one was present.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|p| !p.name.eq_ignore_ascii_case(name));
        before != self.list.len()
    }

    /// Parameters in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.list.iter()
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn find(&self, name: &str) -> Option<&Param> {
        self.list.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

impl<'a> IntoIterator for &'a Params {
    type Item = &'a Param;
    type IntoIter = std::slice::Iter<'a, Param>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl fmt::Display for Params {
    /// Prints `;name=value;flag` (nothing for an empty list).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.list {
            f.write_str(";")?;
            f.write_str(&p.name)?;
            if let Some(v) = &p.value {
                f.write_str("=")?;
                f.write_str(v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_set_remove() {
        let mut p = Params::new();
        p.push("lr", None);
        p.push("Transport", Some("tcp".to_owned()));
        assert_eq!(p.get("LR"), Some(None));
        assert_eq!(p.value("transport"), Some("tcp"));
        p.set("transport", Some("udp"));
        assert_eq!(p.to_string(), ";lr;Transport=udp");
        assert!(p.remove("lr"));
        assert!(!p.contains("lr"));
        assert_eq!(p.get("nope"), None);
    }
}
