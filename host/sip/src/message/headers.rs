//! The ordered header list of a message.

use std::fmt;

use super::HeaderName;
use crate::text::{SplitTopLevel, split_top_level, trim_ws};

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
///
/// Each [`Header`] is one received line, kept verbatim (unfolded). For list
/// headers ([`HeaderName::is_list`]) a line may join several values with
/// commas; the value accessors ([`get`](Headers::get),
/// [`get_all`](Headers::get_all), [`count`](Headers::count),
/// [`remove_first`](Headers::remove_first),
/// [`replace_first`](Headers::replace_first)) work on the individual values,
/// so `Via: a, b` and two Via lines behave the same. Splitting happens on
/// access, which keeps parsing cheap and printing faithful.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    list: Vec<Header>,
}

/// The values of one header line: the comma-separated elements of a list
/// header (empty elements skipped), else the whole value.
fn line_values<'a>(h: &'a Header) -> LineValues<'a> {
    if h.name.is_list() && h.value.contains(',') {
        LineValues::Many(split_top_level(&h.value, b','))
    } else {
        LineValues::One(Some(&h.value))
    }
}

enum LineValues<'a> {
    One(Option<&'a str>),
    Many(SplitTopLevel<'a>),
}

impl<'a> Iterator for LineValues<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            LineValues::One(value) => value.take(),
            LineValues::Many(split) => split.map(trim_ws).find(|v| !v.is_empty()),
        }
    }
}

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// An empty list with room for `n` header lines.
    pub fn with_capacity(n: usize) -> Headers {
        Headers {
            list: Vec::with_capacity(n),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&str> {
        self.get_all(name).next()
    }

    /// Every value of `name`, in order, comma-joined list values split.
    pub fn get_all<'a, 'n>(
        &'a self,
        name: &'n HeaderName,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.list
            .iter()
            .filter(move |h| &h.name == name)
            .flat_map(line_values)
    }

    /// How many values of `name` there are.
    pub fn count(&self, name: &HeaderName) -> usize {
        self.get_all(name).count()
    }

    /// True when at least one `name` header is present.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.list.iter().any(|h| &h.name == name)
    }

    /// Appends a header line after all others.
    pub fn push(&mut self, name: HeaderName, value: impl Into<String>) {
        self.list.push(Header::new(name, value));
    }

    /// Inserts a header line before all others (e.g. a new top Via).
    pub fn push_front(&mut self, name: HeaderName, value: impl Into<String>) {
        self.list.insert(0, Header::new(name, value));
    }

    /// Replaces every `name` line by one with `value`, at the position of
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

    /// Replaces the first value of `name` (other values on the same line
    /// stay); false when there was none.
    pub fn replace_first(&mut self, name: &HeaderName, value: impl Into<String>) -> bool {
        let Some(index) = self.split_first_line(name) else {
            return false;
        };
        self.list[index].value = value.into();
        true
    }

    /// Removes every `name` line; returns how many lines were removed.
    pub fn remove(&mut self, name: &HeaderName) -> usize {
        let before = self.list.len();
        self.list.retain(|h| &h.name != name);
        before - self.list.len()
    }

    /// Removes and returns the first value of `name` (e.g. popping the top
    /// Via or Route); other values on the same line stay.
    pub fn remove_first(&mut self, name: &HeaderName) -> Option<String> {
        let index = self.split_first_line(name)?;
        Some(self.list.remove(index).value)
    }

    /// Splits the first `name` line into one line per value, so that its
    /// first value can be edited alone; returns that line's index.
    fn split_first_line(&mut self, name: &HeaderName) -> Option<usize> {
        let index = self.list.iter().position(|h| &h.name == name)?;
        let values: Vec<String> = line_values(&self.list[index]).map(str::to_owned).collect();
        if values.len() > 1 {
            let lines = values.into_iter().map(|v| Header::new(name.clone(), v));
            self.list.splice(index..=index, lines);
        }
        Some(index)
    }

    /// All header lines in order, as received.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.list.iter()
    }

    /// Number of header lines.
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
    fn list_values_split_on_access() {
        let mut h = Headers::new();
        h.push(
            HeaderName::Via,
            "SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;x=\"p,q\"",
        );
        h.push(HeaderName::Via, "SIP/2.0/UDP c");
        h.push(HeaderName::Allow, "INVITE, ,ACK,");
        h.push(HeaderName::Subject, "a, b");
        assert_eq!(h.count(&HeaderName::Via), 3);
        assert_eq!(h.get(&HeaderName::Via), Some("SIP/2.0/UDP a;branch=1"));
        assert_eq!(
            h.get_all(&HeaderName::Allow).collect::<Vec<_>>(),
            ["INVITE", "ACK"]
        );
        assert_eq!(h.get(&HeaderName::Subject), Some("a, b"));
        assert_eq!(
            h.remove_first(&HeaderName::Via).as_deref(),
            Some("SIP/2.0/UDP a;branch=1")
        );
        assert_eq!(
            h.get_all(&HeaderName::Via).collect::<Vec<_>>(),
            ["SIP/2.0/UDP b;x=\"p,q\"", "SIP/2.0/UDP c"]
        );
        assert!(h.replace_first(&HeaderName::Via, "SIP/2.0/TCP z"));
        assert_eq!(h.count(&HeaderName::Via), 2);
        assert_eq!(h.get(&HeaderName::Via), Some("SIP/2.0/TCP z"));
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
