//! `witswitch:script/types` has no functions; its (empty) host trait is here so
//! that every interface has its host file.

use crate::bindings::types::Host;
use crate::state::ScriptState;

impl Host for ScriptState {}
