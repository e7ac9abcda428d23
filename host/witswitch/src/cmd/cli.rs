//! `witswitch cli`: an event socket client with fs_cli's flags, so
//! `witswitch cli -x "show channels"` works in scripts.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use witswitch_control::cli::{CliOptions, run};

/// Flags as fs_cli spells them.
#[derive(Debug, Args)]
pub struct CliArgs {
    /// Event socket host.
    #[arg(short = 'H', long, default_value = "127.0.0.1")]
    host: String,
    /// Event socket port.
    #[arg(short = 'P', long, default_value_t = 8021)]
    port: u16,
    /// Event socket password.
    #[arg(short = 'p', long, default_value = "ClueCon")]
    password: String,
    /// Authenticate as `user@domain` (userauth) instead of with the socket password.
    #[arg(short = 'u', long)]
    user: Option<String>,
    /// Run one API command, print its output and exit.
    #[arg(short = 'x', long)]
    execute: Option<String>,
    /// Seconds to wait for the connection and for authentication.
    #[arg(short = 't', long, default_value_t = 5)]
    timeout: u64,
}

/// Runs the client; exit code 0 on success, 1 cannot connect, 2 authentication
/// refused, 3 connection lost.
pub fn main(args: CliArgs) -> ExitCode {
    let options = CliOptions {
        host: args.host,
        port: args.port,
        password: args.password,
        user: args.user,
        timeout: Duration::from_secs(args.timeout),
    };
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => ExitCode::from(runtime.block_on(run(options, args.execute))),
        Err(error) => {
            eprintln!("witswitch cli: cannot start the runtime: {error}");
            ExitCode::from(3)
        }
    }
}
