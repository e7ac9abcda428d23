//! `witswitch check`: validate a configuration folder without starting anything.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use witswitch_config::Config;

/// Options of `witswitch check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Configuration directory.
    #[arg(long, value_name = "DIR", default_value = "conf")]
    pub conf: PathBuf,
}

/// Prints every problem as `file:line:column: message` on stderr and exits 1, or
/// reports what was loaded and exits 0.
pub fn main(args: &CheckArgs) -> ExitCode {
    let problems = Config::check(&args.conf);
    if problems.is_empty() {
        match Config::load(&args.conf) {
            Ok(config) => {
                println!(
                    "{}: OK ({} profiles, {} users, {} ACL lists)",
                    args.conf.display(),
                    config.profiles.len(),
                    config.directory.len(),
                    config.acls.iter().count()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        }
    } else {
        for problem in &problems {
            eprintln!("{problem}");
        }
        eprintln!("{} problem(s) in {}", problems.len(), args.conf.display());
        ExitCode::FAILURE
    }
}
