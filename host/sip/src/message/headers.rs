//! The ordered header list of a message.

use std::fmt;

use super::HeaderName;

/// One header field: a name and its value as received (unfolded, trimmed).
/// Values of list headers ([`HeaderName::is_list`]) hold one element each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The field name.
    pub name: HeaderName,
    /// The field value, verbatim apart from unfolding and trimming.
    pub value: String,
}

impl Header {
    /// Builds a header.
    pub fn new(name: HeaderName, value: impl Into<String>) -> Header {
        Header {
            name,
            value: value.into(),
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.value)
    }
}

/// Header fields in message order. Order matters for Via, Route and
/// Record-Route (RFC 3261 §7.3.1), so this is a list, not a map; lookups are
/// linear scans, which beat hashing for the dozen headers a message carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    list: Vec<Header>,
}

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// An empty list with room for `n` headers.
    pub fn with_capacity(n: usize) -> Headers {
        Headers {
            list: Vec::with_capacity(n),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&str> {
        self.list
            .iter()
            .find(|h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a, 'n>(
        &'a self,
        name: &'n HeaderName,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.list
            .iter()
            .filter(move |h| &h.name == name)
            .map(|h| h.value.as_str())
    }

    /// How many values of `name` there are.
    pub fn count(&self, name: &HeaderName) -> usize {
        self.list.iter().filter(|h| &h.name == name).count()
    }

    /// True when at least one `name` header is present.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.list.iter().any(|h| &h.name == name)
    }

    /// Appends a header after all others.
    pub fn push(&mut self, name: HeaderName, value: impl Into<String>) {
        self.list.push(Header::new(name, value));
    }

    /// Inserts a header before all others (e.g. a new top Via).
    pub fn push_front(&mut self, name: HeaderName, value: impl Into<String>) {
        self.list.insert(0, Header::new(name, value));
    }

    /// Replaces every `name` header by one with `value`, at the position of
    /// the first one (or at the end when there was none).
    pub fn set(&mut self, name: HeaderName, value: impl Into<String>) {
        let value = value.into();
        match self.list.iter().position(|h| h.name == name) {
            Some(first) => {
                self.list[first].value = value;
                let mut index = 0;
                self.list.retain(|h| {
                    let keep = index <= first || h.name != name;
                    index += 1;
                    keep
                });
            }
            None => self.list.push(Header::new(name, value)),
        }
    }

    /// Replaces the first value of `name`; false when there was none.
    pub fn replace_first(&mut self, name: &HeaderName, value: impl Into<String>) -> bool {
        match self.list.iter_mut().find(|h| &h.name == name) {
            Some(h) => {
                h.value = value.into();
                true
            }
            None => false,
        }
    }

    /// Removes every `name` header; returns how many were removed.
    pub fn remove(&mut self, name: &HeaderName) -> usize {
        let before = self.list.len();
        self.list.retain(|h| &h.name != name);
        before - self.list.len()
    }

    /// Removes and returns the first value of `name` (e.g. popping the top
    /// Via or Route).
    pub fn remove_first(&mut self, name: &HeaderName) -> Option<String> {
        let index = self.list.iter().position(|h| &h.name == name)?;
        Some(self.list.remove(index).value)
    }

    /// All headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.list.iter()
    }

    /// Number of header fields.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl IntoIterator for Headers {
    type Item = Header;
    type IntoIter = std::vec::IntoIter<Header>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<I: IntoIterator<Item = Header>>(iter: I) -> Headers {
        Headers {
            list: iter.into_iter().collect(),
        }
    }
}

impl Extend<Header> for Headers {
    fn extend<I: IntoIterator<Item = Header>>(&mut self, iter: I) {
        self.list.extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_all_in_place() {
        let mut h = Headers::new();
        h.push(HeaderName::Via, "a");
        h.push(HeaderName::To, "t");
        h.push(HeaderName::Via, "b");
        h.set(HeaderName::Via, "c");
        let names: Vec<_> = h
            .iter()
            .map(|x| (x.name.as_str(), x.value.as_str()))
            .collect();
        assert_eq!(names, vec![("Via", "c"), ("To", "t")]);
        h.set(HeaderName::Expires, "60");
        assert_eq!(h.get(&HeaderName::Expires), Some("60"));
    }

    #[test]
    fn remove_and_lookup_are_case_insensitive() {
        let mut h = Headers::new();
        h.push(HeaderName::parse("X-Foo"), "1");
        h.push(HeaderName::parse("x-foo"), "2");
        assert_eq!(
            h.get_all(&HeaderName::parse("X-FOO")).collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert_eq!(
            h.remove_first(&HeaderName::parse("x-FOO")),
            Some("1".to_owned())
        );
        assert_eq!(h.remove(&HeaderName::parse("X-Foo")), 1);
        assert!(h.is_empty());
    }
}
