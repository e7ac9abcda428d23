//! Reading the config folder: which files exist, in which order they are built,
//! and the checks that span files (ports shared by profiles, the example password).

use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::acl::AclLists;
use crate::build::acl::{build_acls, check_acl_ref};
use crate::build::directory::DirectoryBuild;
use crate::build::main_file::{MainSettings, build_main, build_vars};
use crate::build::profile::{BuiltProfile, GatewayIndex, References, build_profile};
use crate::build::scripts::{build_scripts, default_settings};
use crate::build::{FileCtx, Globals};
use crate::config::Config;
use crate::error::{ConfigDiagnostic, Location, Problem};
use crate::raw::{AclFile, DirectoryFile, MainFile, ProfileFile, ScriptsFile};
use crate::scripts::ScriptSettings;
use crate::source::{SourceFile, file_location};

/// The main file; the only one that must exist besides a profile.
pub const MAIN_FILE: &str = "witswitch.toml";
/// ACL lists.
pub const ACL_FILE: &str = "acl.toml";
/// Script settings.
pub const SCRIPTS_FILE: &str = "scripts.toml";
/// Folder of `<name>.toml` profiles.
pub const PROFILES_DIR: &str = "profiles";
/// Folder of directory files (searched recursively).
pub const DIRECTORY_DIR: &str = "directory";

/// The files found under the config folder, read into memory.
#[derive(Default)]
struct Files {
    main: Option<SourceFile>,
    acl: Option<SourceFile>,
    scripts: Option<SourceFile>,
    profiles: Vec<(String, SourceFile)>,
    directory: Vec<SourceFile>,
}

pub(crate) fn load_dir(dir: &Path) -> Result<Config, Vec<ConfigDiagnostic>> {
    let mut diags = Vec::new();
    let files = discover(dir, &mut diags);
    let config = build(dir, &files, &mut diags);
    diags.sort_by(|a, b| a.location.cmp(&b.location));
    match config {
        Some(config) if diags.is_empty() => Ok(config),
        _ => Err(diags),
    }
}

/// Build in dependency order: variables first (every file expands them), then ACLs
/// and scripts (profiles and users refer to them), the directory (profiles refer to
/// its domains), the profiles, and last the checks across profiles and users.
fn build(dir: &Path, files: &Files, diags: &mut Vec<ConfigDiagnostic>) -> Option<Config> {
    let (vars, main) = build_main_file(dir, files, diags);
    let acls: Option<AclLists> = match &files.acl {
        None => Some(AclLists::with_builtins()),
        Some(file) => {
            parse::<AclFile>(file, diags).map(|raw| build_acls(&mut ctx(file, &vars, diags), &raw))
        }
    };
    if let (Some(acls), Some((file, raw, main))) = (&acls, &main) {
        check_event_socket_acl(&mut ctx(file, &vars, diags), acls, raw, main);
    }
    let scripts: Option<ScriptSettings> = match &files.scripts {
        None => Some(default_settings(dir)),
        Some(file) => parse::<ScriptsFile>(file, diags)
            .map(|raw| build_scripts(&mut ctx(file, &vars, diags), &raw, dir)),
    };
    let mut directory = DirectoryBuild::default();
    let mut directory_complete = true;
    for file in &files.directory {
        match parse::<DirectoryFile>(file, diags) {
            Some(raw) => directory.add_file(&mut ctx(file, &vars, diags), &raw, scripts.as_ref()),
            None => directory_complete = false,
        }
    }
    let refs = References {
        acls: acls.as_ref(),
        scripts: scripts.as_ref(),
        directory: directory_complete.then_some(&directory.directory),
    };
    let built = build_profiles(dir, files, &vars, &refs, diags);
    check_listen_conflicts(&built, diags);
    check_example_passwords(&built, &directory.example_passwords, diags);
    let (_, _, main) = main?;
    Some(Config {
        dir: dir.to_path_buf(),
        vars: vars.values,
        core: main.core,
        event_socket: main.event_socket,
        cdr: main.cdr,
        profiles: built.into_iter().map(|b| b.profile).collect(),
        directory: directory.directory,
        acls: acls?,
        scripts: scripts?,
    })
}

/// `witswitch.toml`: the variables (empty and marked incomplete when the file is
/// missing or broken) and the settings with the file and raw form they came from.
fn build_main_file<'f>(
    dir: &Path,
    files: &'f Files,
    diags: &mut Vec<ConfigDiagnostic>,
) -> (Globals, Option<(&'f SourceFile, MainFile, MainSettings)>) {
    let Some(file) = &files.main else {
        diags.push(ConfigDiagnostic::at(
            file_location(&dir.join(MAIN_FILE)),
            Problem::MissingFile("the main configuration file"),
        ));
        return (Globals::default(), None);
    };
    let Some(raw) = parse::<MainFile>(file, diags) else {
        return (Globals::default(), None);
    };
    let vars = build_vars(file, &raw.vars, diags);
    let settings = build_main(&mut ctx(file, &vars, diags), &raw, dir);
    (vars, Some((file, raw, settings)))
}

fn check_event_socket_acl(
    cx: &mut FileCtx<'_>,
    acls: &AclLists,
    raw: &MainFile,
    main: &MainSettings,
) {
    if let (Some(name), Some(resolved)) = (
        &raw.event_socket.apply_inbound_acl,
        &main.event_socket.apply_inbound_acl,
    ) {
        check_acl_ref(
            cx,
            acls,
            name,
            resolved,
            "event-socket",
            "apply-inbound-acl",
        );
    }
}

fn build_profiles(
    dir: &Path,
    files: &Files,
    vars: &Globals,
    refs: &References<'_>,
    diags: &mut Vec<ConfigDiagnostic>,
) -> Vec<BuiltProfile> {
    if files.profiles.is_empty() {
        diags.push(ConfigDiagnostic::at(
            file_location(&dir.join(PROFILES_DIR)),
            Problem::NoProfiles,
        ));
    }
    let mut built = Vec::new();
    let mut gateways = GatewayIndex::new();
    for (name, file) in &files.profiles {
        if let Some(raw) = parse::<ProfileFile>(file, diags) {
            let cx = &mut ctx(file, vars, diags);
            built.extend(build_profile(cx, name, &raw, refs, &mut gateways));
        }
    }
    built
}

fn ctx<'a>(
    file: &'a SourceFile,
    vars: &'a Globals,
    diags: &'a mut Vec<ConfigDiagnostic>,
) -> FileCtx<'a> {
    FileCtx { file, vars, diags }
}

fn parse<T: serde::de::DeserializeOwned>(
    file: &SourceFile,
    diags: &mut Vec<ConfigDiagnostic>,
) -> Option<T> {
    file.parse(diags)
}

/// Find and read the files. Unknown `.toml` files in the top folder are reported
/// (likely misspelt); other files (README, sounds, scripts) are left alone.
fn discover(dir: &Path, diags: &mut Vec<ConfigDiagnostic>) -> Files {
    let mut files = Files::default();
    for path in list(dir, false, diags) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let slot = match name {
            MAIN_FILE => &mut files.main,
            ACL_FILE => &mut files.acl,
            SCRIPTS_FILE => &mut files.scripts,
            _ => {
                diags.push(ConfigDiagnostic::at(
                    file_location(&path),
                    Problem::UnknownFile,
                ));
                continue;
            }
        };
        *slot = read(&path, diags);
    }
    let profiles_dir = dir.join(PROFILES_DIR);
    if profiles_dir.is_dir() {
        for path in list(&profiles_dir, false, diags) {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if !crate::build::is_identifier(&name) {
                diags.push(ConfigDiagnostic::at(
                    file_location(&path),
                    Problem::BadName(name),
                ));
                continue;
            }
            if let Some(file) = read(&path, diags) {
                files.profiles.push((name, file));
            }
        }
    }
    let directory_dir = dir.join(DIRECTORY_DIR);
    if directory_dir.is_dir() {
        for path in list(&directory_dir, true, diags) {
            files.directory.extend(read(&path, diags));
        }
    }
    files
}

/// `.toml` files in `dir` (and below, if `recursive`), sorted.
fn list(dir: &Path, recursive: bool, diags: &mut Vec<ConfigDiagnostic>) -> Vec<PathBuf> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            diags.push(ConfigDiagnostic::at(file_location(dir), Problem::Read(err)));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recursive {
                out.extend(list(&path, true, diags));
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path, diags: &mut Vec<ConfigDiagnostic>) -> Option<SourceFile> {
    match fs::read_to_string(path) {
        Ok(text) => Some(SourceFile::new(path.to_path_buf(), text)),
        Err(err) => {
            diags.push(ConfigDiagnostic::at(
                file_location(path),
                Problem::Read(err),
            ));
            None
        }
    }
}

/// Two profiles may not bind the same address, port and transport. An unspecified
/// address (`0.0.0.0`, `::`) overlaps every address of its family, and `::` also
/// IPv4 (dual-stack sockets).
fn check_listen_conflicts(built: &[BuiltProfile], diags: &mut Vec<ConfigDiagnostic>) {
    for (index, later) in built.iter().enumerate() {
        let conflict = built.iter().take(index).find_map(|earlier| {
            later.profile.listen_addrs().find_map(|(addr, transport)| {
                earlier
                    .profile
                    .listen_addrs()
                    .any(|(other, t)| t == transport && overlaps(addr, other))
                    .then_some((earlier, addr, transport))
            })
        });
        if let Some((earlier, addr, transport)) = conflict {
            diags.push(ConfigDiagnostic::at_key(
                later.port_at.clone(),
                crate::error::KeyPath::new("profile", "sip-port"),
                Problem::AddressInUse {
                    addr,
                    transport: transport.name(),
                    other: earlier.profile.name.clone(),
                    other_at: earlier.port_at.clone(),
                },
            ));
        }
    }
}

fn overlaps(a: SocketAddr, b: SocketAddr) -> bool {
    if a.port() != b.port() {
        return false;
    }
    let wide = |ip: IpAddr, other: IpAddr| {
        ip.is_unspecified() && (ip.is_ipv6() || ip.is_ipv4() == other.is_ipv4())
    };
    a.ip() == b.ip() || wide(a.ip(), b.ip()) || wide(b.ip(), a.ip())
}

/// Refuse FreeSWITCH's `1234` while any profile is reachable from other hosts.
fn check_example_passwords(
    built: &[BuiltProfile],
    example_passwords: &[(String, Location)],
    diags: &mut Vec<ConfigDiagnostic>,
) {
    let Some(exposed) = built.iter().find(|b| !b.profile.sip_ip.is_loopback()) else {
        return;
    };
    for (user, location) in example_passwords {
        diags.push(ConfigDiagnostic::at(
            location.clone(),
            Problem::ExamplePassword {
                user: user.clone(),
                profile: exposed.profile.name.clone(),
                addr: SocketAddr::new(exposed.profile.sip_ip, exposed.profile.sip_port),
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn address_overlap_rules() {
        assert!(overlaps(sa("127.0.0.1:5060"), sa("127.0.0.1:5060")));
        assert!(!overlaps(sa("127.0.0.1:5060"), sa("127.0.0.1:5080")));
        assert!(!overlaps(sa("127.0.0.1:5060"), sa("127.0.0.2:5060")));
        assert!(overlaps(sa("0.0.0.0:5060"), sa("10.0.0.1:5060")));
        assert!(overlaps(sa("10.0.0.1:5060"), sa("0.0.0.0:5060")));
        assert!(!overlaps(sa("0.0.0.0:5060"), sa("[::1]:5060")));
        assert!(overlaps(sa("[::]:5060"), sa("10.0.0.1:5060")));
    }
}
