//! Fault guest: `route` spins forever. The host must end it at the CPU deadline
//! with `ScriptError::DeadlineExceeded` while other invocations keep running.

wit_bindgen::generate!({ path: "../../../wit", world: "dialplan", generate_all });


struct InfiniteLoop;

impl Guest for InfiniteLoop {
    fn route(call: CallInfo) -> RouteResult {
        // `black_box` keeps the optimiser from proving anything about the loop.
        let mut counter: u64 = call.destination_number.len() as u64;
        loop {
            counter = core::hint::black_box(counter.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}

export!(InfiniteLoop);
