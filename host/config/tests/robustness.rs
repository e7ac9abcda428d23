//! Broken input never panics: every truncation and a set of byte mutations of the
//! shipped files either loads or gives located diagnostics.

mod common;

use std::fs;
use std::path::PathBuf;

use common::Conf;

fn shipped(relative: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../conf")).join(relative);
    fs::read_to_string(path).expect("shipped file")
}

const FILES: [&str; 6] = [
    "witswitch.toml",
    "acl.toml",
    "scripts.toml",
    "profiles/internal.toml",
    "profiles/external.toml",
    "directory/default.toml",
];

fn copy_of_shipped() -> Conf {
    let conf = Conf::minimal();
    conf.remove("directory");
    conf.remove("profiles");
    for file in FILES {
        conf.write(file, &shipped(file));
    }
    conf
}

#[track_caller]
fn assert_located(conf: &Conf, what: &str) {
    for diagnostic in conf.diagnostics() {
        assert!(
            diagnostic.location.file.starts_with(conf.dir()),
            "{what}: {diagnostic}"
        );
        assert!(!diagnostic.to_string().is_empty());
    }
}

#[test]
fn truncated_files() {
    let conf = copy_of_shipped();
    assert_eq!(conf.lines(), Vec::<String>::new());
    for file in FILES {
        let text = shipped(file);
        let cuts = (0..text.len())
            .step_by(41)
            .filter(|i| text.is_char_boundary(*i));
        for cut in cuts {
            conf.write(file, &text[..cut]);
            assert_located(&conf, &format!("{file} cut at {cut}"));
        }
        conf.write(file, &text);
    }
}

#[test]
fn mutated_bytes() {
    let conf = copy_of_shipped();
    let replacements = ["\"", "[", "]", "=", "\n", "$", "{", "0", "\u{0}", "é"];
    for file in FILES {
        let text = shipped(file);
        let positions = (0..text.len())
            .step_by(97)
            .filter(|i| text.is_char_boundary(*i));
        for (n, at) in positions.enumerate() {
            let replacement = replacements[n % replacements.len()];
            let mut mutated = text.clone();
            mutated.insert_str(at, replacement);
            conf.write(file, &mutated);
            assert_located(&conf, &format!("{file} with {replacement:?} at {at}"));
        }
        conf.write(file, &text);
    }
}
