//! `witswitch:script/globals`: read-only global variables (`[vars]`,
//! `global_setvar`), a snapshot taken when the invocation started.

use crate::bindings::globals::Host;
use crate::state::ScriptState;

impl Host for ScriptState {
    fn get(&mut self, name: String) -> Option<String> {
        self.context.globals.get(&name).cloned()
    }
}
