//! The `#[dialplan]` and `#[app]` attributes of `witswitch-guest`. Use them through
//! that crate (`use witswitch_guest::{dialplan, app};`), which the generated code
//! refers to.

mod expand;
mod signature;

use proc_macro::TokenStream;

/// Makes `fn route(call: &CallInfo) -> Route` the `route` export of a `dialplan`
/// component. The function keeps its name and stays callable from Rust (tests).
#[proc_macro_attribute]
pub fn dialplan(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::dialplan(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes `fn run(call: Call) -> Result<(), Hangup>` the `run` export of an `app`
/// component. The function keeps its name.
#[proc_macro_attribute]
pub fn app(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::app(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
