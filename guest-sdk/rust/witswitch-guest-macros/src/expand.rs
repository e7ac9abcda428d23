//! The code the attributes generate: the function as written, plus a hidden
//! module holding `wit-bindgen`'s bindings of the world and its export.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ItemFn;
use syn::spanned::Spanned;

use crate::signature::{self, Kind};

/// The WIT package, found relative to this crate's sources
/// (`guest-sdk/rust/witswitch-guest-macros` → `wit/`).
fn wit_dir() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../wit");
    std::path::Path::new(dir)
        .canonicalize()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|_| dir.to_owned())
}

fn no_arguments(attr: &TokenStream, name: &str) -> syn::Result<()> {
    if attr.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new(
            attr.span(),
            format!("#[{name}] takes no arguments"),
        ))
    }
}

/// The `wit-bindgen` invocation for `world`, sharing the types, `log`, `globals`
/// and (for apps) `session` generated in `witswitch_guest::raw`; the WASI
/// interfaces the world names are generated here (and dropped by the linker when
/// unused). `wit-bindgen` rejects a `with` entry the world does not use, so the
/// `session` entry is only there for the `app` world.
fn bindings(kind: Kind) -> TokenStream {
    let wit = wit_dir();
    let (world, session) = match kind {
        Kind::Dialplan => ("witswitch:script/dialplan@0.1.0", quote!()),
        Kind::App => (
            "witswitch:script/app@0.1.0",
            quote!("witswitch:script/session@0.1.0": ::witswitch_guest::raw::witswitch::script::session,),
        ),
    };
    quote! {
        ::witswitch_guest::__private::wit_bindgen::generate!({
            world: #world,
            path: #wit,
            runtime_path: "::witswitch_guest::__private::wit_bindgen::rt",
            with: {
                "witswitch:script/types@0.1.0": ::witswitch_guest::raw::witswitch::script::types,
                "witswitch:script/log@0.1.0": ::witswitch_guest::raw::witswitch::script::log,
                "witswitch:script/globals@0.1.0": ::witswitch_guest::raw::witswitch::script::globals,
                #session
            },
            generate_all,
        });
    }
}

/// `#[dialplan]`: keep `fn name(&CallInfo) -> Route` and export it as `route`.
pub(crate) fn dialplan(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    no_arguments(&attr, "dialplan")?;
    let function: ItemFn = syn::parse2(item)?;
    signature::check(Kind::Dialplan, &function.sig)?;
    let name = &function.sig.ident;
    let bindings = bindings(Kind::Dialplan);
    let typed = quote_spanned! {function.sig.span()=>
        let route: fn(&::witswitch_guest::CallInfo) -> ::witswitch_guest::Route = super::#name;
    };
    Ok(quote! {
        #function

        #[doc(hidden)]
        #[allow(unsafe_code, missing_docs, unused, clippy::all, clippy::pedantic)]
        mod __witswitch_dialplan_export {
            #bindings

            struct Dialplan;

            impl Guest for Dialplan {
                fn route(call: ::witswitch_guest::CallInfo) -> ::witswitch_guest::RouteResult {
                    #typed
                    ::witswitch_guest::RouteResult::from(route(&call))
                }
            }

            export!(Dialplan);
        }
    })
}

/// `#[app]`: keep `fn name(Call) -> Result<(), Hangup>` and export it as `run`.
pub(crate) fn app(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    no_arguments(&attr, "app")?;
    let function: ItemFn = syn::parse2(item)?;
    signature::check(Kind::App, &function.sig)?;
    let name = &function.sig.ident;
    let bindings = bindings(Kind::App);
    let typed = quote_spanned! {function.sig.span()=>
        let run: fn(::witswitch_guest::Call)
            -> ::core::result::Result<(), ::witswitch_guest::Hangup> = super::#name;
    };
    Ok(quote! {
        #function

        #[doc(hidden)]
        #[allow(unsafe_code, missing_docs, unused, clippy::all, clippy::pedantic)]
        mod __witswitch_app_export {
            #bindings

            struct App;

            impl Guest for App {
                fn run(
                    call: ::witswitch_guest::raw::witswitch::script::session::Call,
                ) -> ::core::result::Result<(), ::witswitch_guest::CallError> {
                    #typed
                    run(::witswitch_guest::Call::from_raw(call))
                }
            }

            export!(App);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_arguments_are_rejected() {
        let err = dialplan(
            quote!(fast),
            quote!(
                fn route(c: &CallInfo) -> Route {
                    x
                }
            ),
        )
        .unwrap_err();
        assert!(err.to_string().contains("#[dialplan] takes no arguments"));
        let err = app(
            quote!(x = 1),
            quote!(
                fn run(c: Call) -> Result<(), Hangup> {
                    x
                }
            ),
        )
        .unwrap_err();
        assert!(err.to_string().contains("#[app] takes no arguments"));
    }

    #[test]
    fn non_functions_are_rejected() {
        assert!(
            dialplan(
                TokenStream::new(),
                quote!(
                    struct Route;
                )
            )
            .is_err()
        );
    }

    #[test]
    fn the_expansion_keeps_the_function_and_exports_its_world() {
        let out = dialplan(
            TokenStream::new(),
            quote!(
                fn decide(c: &CallInfo) -> Route {
                    Route::new()
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(out.starts_with("fn decide"), "{out}");
        assert!(out.contains("\"witswitch:script/dialplan@0.1.0\""), "{out}");
        assert!(out.contains("super :: decide"), "{out}");
        assert!(out.contains("export ! (Dialplan)"), "{out}");
        let out = app(
            TokenStream::new(),
            quote!(
                fn ivr(c: Call) -> Result<(), Hangup> {
                    Ok(())
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(out.contains("\"witswitch:script/app@0.1.0\""), "{out}");
        assert!(out.contains("super :: ivr"), "{out}");
    }

    #[test]
    fn the_wit_directory_is_found() {
        let dir = std::path::PathBuf::from(wit_dir());
        assert!(dir.join("worlds.wit").is_file(), "{}", dir.display());
    }
}
