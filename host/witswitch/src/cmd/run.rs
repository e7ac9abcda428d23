//! `witswitch run`: load the configuration, give users without a password a generated
//! one, open each profile's transports and run its SIP driver until SIGINT/SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use rand::RngCore;
use witswitch_config::{Config, LogLevel, ensure_user_secrets};

use crate::logging;

/// Options of `witswitch run` (also accepted without the subcommand).
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Configuration directory.
    #[arg(long, value_name = "DIR", default_value = "conf")]
    pub conf: PathBuf,
    /// Directory for generated secrets and other state [default: the config's
    /// `core.state-dir`].
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// FreeSWITCH log level: console, alert, crit, err, warning, notice, info, debug
    /// or 0-7 [default: the config's `core.log-level`].
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,
    /// Also append log lines to this file.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// Runs the switch; returns when a termination signal arrives or startup fails.
pub fn main(args: RunArgs) -> ExitCode {
    let mut config = match Config::load(&args.conf) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "witswitch: the configuration in {} has errors",
                args.conf.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let level = args.log_level.unwrap_or(config.core.log_level);
    let log_control = match logging::init(level, args.log_file.as_deref()) {
        Ok(control) => control,
        Err(e) => {
            eprintln!("witswitch: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state_dir = args
        .state
        .clone()
        .unwrap_or_else(|| config.core.state_dir.clone());
    match ensure_user_secrets(&state_dir, &mut config, |buf| rand::rng().fill_bytes(buf)) {
        Ok(report) => {
            // On stdout too: whoever started the switch needs to know where the
            // generated passwords are.
            println!("witswitch: {report}");
            tracing::info!("{report}");
        }
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("witswitch")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::server::serve(config, log_control)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
