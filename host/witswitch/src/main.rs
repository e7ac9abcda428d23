//! witswitch: the binary. The only place with sockets, tasks and the wall clock.

fn main() {
    println!("witswitch {}", env!("CARGO_PKG_VERSION"));
}
