//! Fault guest: `route` traps. With `app_probe`-style variables the test picks how:
//! `trap_kind=unreachable` executes `unreachable`, anything else panics (which is
//! also `unreachable` after the panic message, since guests build with
//! `panic = "abort"`). The host must report `ScriptError::Trap`.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });


struct Trap;

impl Guest for Trap {
    fn route(call: CallInfo) -> RouteResult {
        let unreachable = call
            .variables
            .iter()
            .any(|kv| kv.key == "trap_kind" && kv.value == "unreachable");
        if unreachable {
            core::arch::wasm32::unreachable()
        }
        panic!("fault-trap panics on purpose for {}", call.destination_number)
    }
}

export!(Trap);
