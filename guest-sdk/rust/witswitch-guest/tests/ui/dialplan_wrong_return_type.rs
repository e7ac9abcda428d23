use witswitch_guest::{CallInfo, dialplan};

#[dialplan]
fn route(call: &CallInfo) -> Vec<String> {
    vec![call.destination_number.clone()]
}

fn main() {}
