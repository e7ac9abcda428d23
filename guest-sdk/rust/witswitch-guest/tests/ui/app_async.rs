use witswitch_guest::{Call, Hangup, app};

#[app]
async fn run(call: Call) -> Result<(), Hangup> {
    call.answer()
}

fn main() {}
