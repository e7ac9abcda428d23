//! A loaded script version: compiled, its world checked, pre-linked
//! (`instantiate_pre`), so each invocation only instantiates.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::bindings::{AppPre, DialplanPre};
use crate::engine::ScriptEngine;
use crate::error::ScriptError;
use crate::state::ScriptState;
use crate::warm::WarmPool;
use crate::world::{self, World, WorldMismatch};

/// The pre-linked component, typed by world.
pub(crate) enum Prelinked {
    Dialplan(DialplanPre<ScriptState>),
    App(AppPre<ScriptState>),
}

/// One compiled, validated version of a script.
pub(crate) struct CompiledScript {
    pub(crate) name: Arc<str>,
    pub(crate) world: World,
    /// Hex SHA-256 of the component bytes.
    pub(crate) version: Arc<str>,
    pub(crate) path: Option<PathBuf>,
    pub(crate) loaded_at: SystemTime,
    pub(crate) prelinked: Prelinked,
    /// Warm instances of this version (dialplans whose `route` reuses them).
    pub(crate) warm: WarmPool,
}

impl std::fmt::Debug for CompiledScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledScript")
            .field("name", &self.name)
            .field("world", &self.world)
            .field("version", &self.version)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The content hash that names a version.
pub(crate) fn version_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// wasmtime's error with its causes, on one line.
pub(crate) fn error_chain(error: &wasmtime::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

/// Compile `bytes` as script `name`, check its world (and that it is `expected`
/// when given), and pre-link it. CPU-heavy: call it off the async workers.
pub(crate) fn compile(
    engine: &ScriptEngine,
    name: &str,
    bytes: &[u8],
    path: Option<PathBuf>,
    expected: Option<World>,
) -> Result<CompiledScript, ScriptError> {
    let wrong_world = |mismatch| ScriptError::WrongWorld {
        name: name.to_string(),
        mismatch,
    };
    let component = Component::new(engine.engine(), bytes).map_err(|e| ScriptError::Compile {
        name: name.to_string(),
        message: error_chain(&e),
    })?;
    let world = world::detect(engine.engine(), &component).map_err(wrong_world)?;
    if let Some(expected) = expected
        && expected != world
    {
        return Err(ScriptError::wrong_world(name, expected, world));
    }
    let instance_pre = engine
        .linker(world)
        .instantiate_pre(&component)
        .map_err(|e| {
            wrong_world(WorldMismatch::UnsatisfiedImport {
                world,
                detail: error_chain(&e),
            })
        })?;
    let bad_export = |e: wasmtime::Error| {
        wrong_world(WorldMismatch::BadExport {
            world,
            detail: error_chain(&e),
        })
    };
    let prelinked = match world {
        World::Dialplan => Prelinked::Dialplan(DialplanPre::new(instance_pre).map_err(bad_export)?),
        World::App => Prelinked::App(AppPre::new(instance_pre).map_err(bad_export)?),
    };
    Ok(CompiledScript {
        name: Arc::from(name),
        world,
        version: Arc::from(version_of(bytes)),
        path,
        loaded_at: SystemTime::now(),
        prelinked,
        warm: WarmPool::default(),
    })
}
