//! One file per subcommand; each exposes `main(args) -> ExitCode`.

pub mod check;
pub mod cli;
pub mod route;
pub mod run;
pub mod version;
