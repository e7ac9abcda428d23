//! The `#[dialplan]` and `#[app]` attributes of `witswitch-guest`. Use them through
//! that crate (`use witswitch_guest::{dialplan, app};`), which the generated code
//! refers to.

mod expand;
mod signature;

use proc_macro::TokenStream;
use quote::quote;

/// The expansion, or the error followed by the item as written, so that a wrong
/// signature reports one error and not also unused imports in the item.
fn or_error(
    item: proc_macro2::TokenStream,
    result: syn::Result<proc_macro2::TokenStream>,
) -> TokenStream {
    match result {
        Ok(expanded) => expanded.into(),
        Err(err) => {
            let err = err.into_compile_error();
            quote!(#err #[allow(dead_code)] #item).into()
        }
    }
}

/// Makes `fn route(call: &CallInfo) -> Route` the `route` export of a `dialplan`
/// component. The function keeps its name and stays callable from Rust (tests).
#[proc_macro_attribute]
pub fn dialplan(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    or_error(item.clone(), expand::dialplan(attr.into(), item))
}

/// Makes `fn run(call: Call) -> Result<(), Hangup>` the `run` export of an `app`
/// component. The function keeps its name.
#[proc_macro_attribute]
pub fn app(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    or_error(item.clone(), expand::app(attr.into(), item))
}
