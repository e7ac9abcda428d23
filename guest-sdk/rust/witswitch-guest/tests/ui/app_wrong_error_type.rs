use witswitch_guest::{Call, app};

#[app]
fn run(call: Call) -> Result<(), String> {
    call.answer().map_err(|err| err.to_string())
}

fn main() {}
