//! Fault guest: `route` allocates and touches memory until it runs out. The host
//! must end it with `ScriptError::MemoryLimit` once linear memory would grow past
//! the script's limit.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });


struct AllocateForever;

impl Guest for AllocateForever {
    fn route(_call: CallInfo) -> RouteResult {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            // 1 MiB at a time, written so the pages are really used.
            hoard.push(vec![0xA5; 1 << 20]);
            core::hint::black_box(&hoard);
        }
    }
}

export!(AllocateForever);
