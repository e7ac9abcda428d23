//! `witswitch route <component.wasm> --dest 1001 [--caller 1000] [--context default]
//! [--var k=v ...]`: a dry run of a dialplan for script authors. Loads the
//! component, runs its `route` once against a synthetic call from a local phone,
//! and prints the resulting actions one per line as FreeSWITCH shows them
//! (`bridge user/1001`, `hangup NO_ROUTE_DESTINATION`, ...), or the typed error
//! and the hangup cause the switch would use. Guest log lines go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use witswitch_config::LogLevel;
use witswitch_script::{
    EngineSettings, HttpSettings, ScriptError, ScriptHost, ScriptSettings, format, parse_variable,
    script_name, synthetic_call_info,
};

/// Options of `witswitch route`.
#[derive(Debug, Clone, Args)]
pub struct RouteArgs {
    /// The dialplan component (`.wasm`).
    #[arg(value_name = "COMPONENT")]
    pub component: PathBuf,
    /// The dialled number (`destination_number`).
    #[arg(long, value_name = "NUMBER")]
    pub dest: String,
    /// The caller's number and name (`caller_id_number`, `caller_id_name`).
    #[arg(long, value_name = "NUMBER", default_value = "1000")]
    pub caller: String,
    /// The routing context.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub context: String,
    /// The digest username, as if the caller had authenticated.
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// A channel variable, `name=value` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub vars: Vec<(String, String)>,
    /// A global variable the script reads with `globals.get`, `name=value` (repeatable).
    #[arg(long = "global", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub globals: Vec<(String, String)>,
    /// A host the script may reach over HTTP, `host[:port]` or `*.domain`
    /// (repeatable; none by default, as in the switch).
    #[arg(long = "allow-http", value_name = "HOST")]
    pub allow_http: Vec<String>,
    /// The CPU budget of the call, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub cpu_ms: u64,
}

fn parse_pair(arg: &str) -> Result<(String, String), String> {
    parse_variable(arg).ok_or_else(|| format!("expected NAME=VALUE, got `{arg}`"))
}

/// Compiled components are cached per user (`$XDG_CACHE_HOME/witswitch/compiled`
/// or `~/.cache/witswitch/compiled`), so running the same file again skips the
/// compile.
fn user_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("witswitch").join("compiled"))
}

fn report(error: &ScriptError) -> ExitCode {
    eprintln!("error: {error}");
    eprintln!("hangup cause: {}", format::cause_name(error.hangup_cause()));
    ExitCode::FAILURE
}

/// Prints the actions and exits 0, or prints the error and exits 1.
pub fn main(args: &RouteArgs) -> ExitCode {
    // Guest `log` lines and the host's warnings (denied HTTP, ...) on stderr.
    if let Err(e) = crate::logging::init(LogLevel::Info, None) {
        eprintln!("warning: {e}");
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One call at a time: a tiny instance pool.
    let settings = EngineSettings {
        max_instances: 4,
        cache_dir: user_cache_dir(),
        ..EngineSettings::default()
    };
    let host = match ScriptHost::new(settings) {
        Ok(host) => host,
        Err(e) => return report(&e),
    };
    let name = script_name(&args.component)
        .unwrap_or("dialplan")
        .to_string();
    host.set_script_settings(
        &name,
        ScriptSettings {
            route_cpu: Duration::from_millis(args.cpu_ms),
            http: HttpSettings {
                allow: args.allow_http.clone(),
                ..HttpSettings::default()
            },
            ..ScriptSettings::default()
        },
    );
    host.set_globals(args.globals.iter().cloned().collect());
    if let Err(e) = host.load(&name, &args.component) {
        return report(&e);
    }
    let mut call = synthetic_call_info(&args.dest, &args.caller, &args.context, &args.vars);
    call.username.clone_from(&args.username);
    match runtime.block_on(host.route(&name, &call)) {
        Ok(result) => {
            for line in format::route_lines(&result) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => report(&e),
    }
}
