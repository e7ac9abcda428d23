//! witswitch: the binary. The only place with sockets, tasks and the wall clock.
//!
//! `main` only parses arguments and dispatches: each subcommand lives in `cmd/<name>.rs`
//! (add one `Command` variant and one match arm to add a subcommand).

mod calls;
mod cmd;
mod control;
mod driver;
mod live_config;
mod log_tap;
mod logging;
mod media;
mod server;
mod transport;
mod wiring;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A programmable telephone switch: SIP and RTP in Rust, call policy in WebAssembly.
#[derive(Debug, Parser)]
#[command(name = "witswitch", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `run`'s options, accepted without the subcommand (`witswitch` = `witswitch run`).
    #[command(flatten)]
    run: cmd::run::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the switch (the default).
    Run(cmd::run::RunArgs),
    /// Validate the configuration; print each error as `file:line: message`.
    Check(cmd::check::CheckArgs),
    /// Connect to the event socket like fs_cli (`-x "<command>"` for one command).
    Cli(cmd::cli::CliArgs),
    /// Dry-run a dialplan component: print the actions it returns for a call.
    Route(cmd::route::RouteArgs),
    /// Print the version.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Run(cli.run)) {
        Command::Run(args) => cmd::run::main(args),
        Command::Check(args) => cmd::check::main(&args),
        Command::Cli(args) => cmd::cli::main(args),
        Command::Route(args) => cmd::route::main(&args),
        Command::Version => cmd::version::main(),
    }
}
