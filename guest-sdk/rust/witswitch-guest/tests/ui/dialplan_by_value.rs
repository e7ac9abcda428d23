use witswitch_guest::{CallInfo, Route, dialplan};

#[dialplan]
fn route(call: CallInfo) -> Route {
    Route::new().bridge(format!("user/{}", call.destination_number))
}

fn main() {}
