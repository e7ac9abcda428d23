//! Shared helpers for the message tests: locating and reading the RFC 4475
//! torture messages.

#![allow(dead_code)]

use std::path::PathBuf;

use witswitch_sip::{Message, Parsed, Request, Response};

/// `../shared/testdata/rfc4475` beside the repository.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/rfc4475"
    ))
}

/// The bytes of one torture message, e.g. `load("wsinv")`.
pub fn load(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(format!("{name}.dat"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every `.dat` file in the corpus as (stem, bytes), sorted by name.
pub fn all() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir())
        .expect("RFC 4475 corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dat"))
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&p).expect("read corpus file");
            (stem, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Parses a file that must parse.
pub fn parse(name: &str) -> Parsed {
    let bytes = load(name);
    Message::parse(&bytes).unwrap_or_else(|e| panic!("{name} should parse: {e}"))
}

/// Parses a file that must be a request.
pub fn request(name: &str) -> Request {
    match parse(name).message {
        Message::Request(r) => r,
        Message::Response(_) => panic!("{name} is not a request"),
    }
}

/// Parses a file that must be a response.
pub fn response(name: &str) -> Response {
    match parse(name).message {
        Message::Response(r) => r,
        Message::Request(_) => panic!("{name} is not a response"),
    }
}
