//! Shape checks of the annotated function. The types themselves are checked by
//! the compiler: the generated code coerces the function to the expected `fn`
//! pointer type, with the span of the signature, so a mismatch points at it.

use syn::spanned::Spanned;
use syn::{FnArg, ReturnType, Signature, Type};

/// Which attribute is checking, for the messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Dialplan,
    App,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Dialplan => "fn route(call: &CallInfo) -> Route",
            Kind::App => "fn run(call: Call) -> Result<(), Hangup>",
        }
    }
}

fn error(kind: Kind, spanned: &impl Spanned, problem: &str) -> syn::Error {
    syn::Error::new(
        spanned.span(),
        format!("{problem}; expected `{}`", kind.expected()),
    )
}

/// Checks that `sig` is a plain function of one argument with a return type, and
/// that the argument is a shared reference (dialplan) or a value (app).
pub(crate) fn check(kind: Kind, sig: &Signature) -> syn::Result<()> {
    if let Some(token) = &sig.constness {
        return Err(error(kind, token, "the function must not be `const`"));
    }
    if let Some(token) = &sig.asyncness {
        return Err(error(
            kind,
            token,
            "the function must not be `async`: call methods block",
        ));
    }
    if let Some(token) = &sig.unsafety {
        return Err(error(kind, token, "the function must not be `unsafe`"));
    }
    if let Some(abi) = &sig.abi {
        return Err(error(kind, abi, "the function must not declare an ABI"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(error(
            kind,
            &sig.generics,
            "the function must not be generic",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(error(kind, variadic, "the function must not be variadic"));
    }
    if sig.inputs.len() != 1 {
        return Err(error(
            kind,
            sig,
            &format!(
                "the function takes exactly one argument, not {}",
                sig.inputs.len()
            ),
        ));
    }
    let Some(input) = sig.inputs.first() else {
        return Err(error(kind, sig, "the function takes exactly one argument"));
    };
    let argument_type = match input {
        FnArg::Receiver(receiver) => {
            return Err(error(kind, receiver, "the function must not take `self`"));
        }
        FnArg::Typed(typed) => &*typed.ty,
    };
    match (kind, argument_type) {
        (Kind::Dialplan, Type::Reference(reference)) if reference.mutability.is_none() => {}
        (Kind::Dialplan, other) => {
            return Err(error(kind, other, "the call must be borrowed: `&CallInfo`"));
        }
        (Kind::App, Type::Reference(reference)) => {
            return Err(error(
                kind,
                reference,
                "the call must be taken by value: `Call`",
            ));
        }
        (Kind::App, _) => {}
    }
    if let ReturnType::Default = sig.output {
        return Err(error(kind, sig, "the function must return a value"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_str(kind: Kind, source: &str) -> Result<(), String> {
        let item: syn::ItemFn = syn::parse_str(source).map_err(|e| e.to_string())?;
        check(kind, &item.sig).map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_the_documented_shapes() {
        assert_eq!(
            check_str(
                Kind::Dialplan,
                "fn route(call: &CallInfo) -> Route { todo() }"
            ),
            Ok(())
        );
        assert_eq!(
            check_str(
                Kind::Dialplan,
                "pub fn decide(c: &witswitch_guest::CallInfo) -> witswitch_guest::Route { x }"
            ),
            Ok(())
        );
        assert_eq!(
            check_str(
                Kind::App,
                "fn run(call: Call) -> Result<(), Hangup> { Ok(()) }"
            ),
            Ok(())
        );
    }

    #[test]
    fn rejects_wrong_dialplan_shapes_with_a_reason() {
        let cases = [
            (
                "fn route(call: CallInfo) -> Route { x }",
                "must be borrowed",
            ),
            (
                "fn route(call: &mut CallInfo) -> Route { x }",
                "must be borrowed",
            ),
            ("fn route(call: &CallInfo) { }", "must return a value"),
            ("fn route() -> Route { x }", "exactly one argument, not 0"),
            (
                "fn route(a: &CallInfo, b: u8) -> Route { x }",
                "exactly one argument, not 2",
            ),
            (
                "async fn route(call: &CallInfo) -> Route { x }",
                "must not be `async`",
            ),
            (
                "fn route<T>(call: &T) -> Route { x }",
                "must not be generic",
            ),
            (
                "const fn route(call: &CallInfo) -> Route { x }",
                "must not be `const`",
            ),
            (
                "unsafe fn route(call: &CallInfo) -> Route { x }",
                "must not be `unsafe`",
            ),
            (
                "extern \"C\" fn route(call: &CallInfo) -> Route { x }",
                "must not declare an ABI",
            ),
        ];
        for (source, reason) in cases {
            let message = check_str(Kind::Dialplan, source).unwrap_err();
            assert!(message.contains(reason), "{source}: {message}");
            assert!(
                message.contains("fn route(call: &CallInfo) -> Route"),
                "{message}"
            );
        }
    }

    #[test]
    fn rejects_wrong_app_shapes_with_a_reason() {
        let cases = [
            (
                "fn run(call: &Call) -> Result<(), Hangup> { x }",
                "taken by value",
            ),
            ("fn run(call: Call) { }", "must return a value"),
            (
                "fn run(&self) -> Result<(), Hangup> { x }",
                "must not take `self`",
            ),
        ];
        for (source, reason) in cases {
            let message = check_str(Kind::App, source).unwrap_err();
            assert!(message.contains(reason), "{source}: {message}");
        }
    }
}
