//! The wasmtime host for witswitch script components.
