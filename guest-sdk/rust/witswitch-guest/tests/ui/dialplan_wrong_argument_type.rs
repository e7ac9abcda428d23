use witswitch_guest::{Route, dialplan};

#[dialplan]
fn route(destination: &str) -> Route {
    Route::new().bridge(format!("user/{destination}"))
}

fn main() {}
