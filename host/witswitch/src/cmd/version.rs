//! `witswitch version`.

use std::process::ExitCode;

/// Prints `witswitch <version>` (the crate version of this build).
pub fn main() -> ExitCode {
    println!("witswitch {}", env!("CARGO_PKG_VERSION"));
    ExitCode::SUCCESS
}
