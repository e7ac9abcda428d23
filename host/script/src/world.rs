//! Which world a component implements, decided from its exports and checked
//! against what the caller expects.

use std::fmt;

use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The worlds of `witswitch:script@0.1.0` a component may implement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    /// `dialplan`: exports `route(call-info) -> route-result`.
    Dialplan,
    /// `app`: imports `session`, exports `run(call) -> result<_, call-error>`.
    App,
}

impl World {
    /// The export that marks a component as this world.
    pub fn export_name(self) -> &'static str {
        match self {
            World::Dialplan => "route",
            World::App => "run",
        }
    }

    /// The WIT name of the world.
    pub fn name(self) -> &'static str {
        match self {
            World::Dialplan => "dialplan",
            World::App => "app",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a component is not one of our worlds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldMismatch {
    /// Neither `route` nor `run` is exported as a function.
    #[error(
        "exports neither a `route` function (world dialplan) nor a `run` function (world app); it exports: {exports}"
    )]
    NoKnownExport {
        /// The names the component does export, comma-separated (`(none)` if empty).
        exports: String,
    },
    /// Both `route` and `run` are exported, so the world is ambiguous.
    #[error("exports both `route` and `run`; a script implements exactly one world")]
    Ambiguous,
    /// The component is a valid script of another world than the one asked for.
    #[error("implements world `{found}`, but world `{expected}` (exporting `{}`) is needed here", expected.export_name())]
    Unexpected {
        /// The world the caller needs.
        expected: World,
        /// The world the component implements.
        found: World,
    },
    /// The export has the right name but the wrong signature (built against an
    /// incompatible version of the contract).
    #[error("exports `{}` with a signature the `{world}` world does not have: {detail}", world.export_name())]
    BadExport {
        /// The world the component was checked as.
        world: World,
        /// wasmtime's description of the mismatch.
        detail: String,
    },
    /// The component imports something the world does not provide.
    #[error("imports what the `{world}` world does not provide: {detail}")]
    UnsatisfiedImport {
        /// The world the component was linked as.
        world: World,
        /// wasmtime's description of the missing or mismatched import.
        detail: String,
    },
}

/// Decide the world of `component` from its function exports. The exact
/// signatures are checked later by the typed `instantiate_pre` of the bindings.
pub fn detect(engine: &Engine, component: &Component) -> Result<World, WorldMismatch> {
    let ty = component.component_type();
    let mut names = Vec::new();
    let mut has_route = false;
    let mut has_run = false;
    for (name, item) in ty.exports(engine) {
        names.push(name.to_string());
        if matches!(item.ty, ComponentItem::ComponentFunc(_)) {
            has_route |= name == "route";
            has_run |= name == "run";
        }
    }
    match (has_route, has_run) {
        (true, false) => Ok(World::Dialplan),
        (false, true) => Ok(World::App),
        (true, true) => Err(WorldMismatch::Ambiguous),
        (false, false) => Err(WorldMismatch::NoKnownExport {
            exports: if names.is_empty() {
                String::from("(none)")
            } else {
                names.join(", ")
            },
        }),
    }
}
