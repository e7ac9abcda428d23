//! A wrong `#[dialplan]` or `#[app]` signature must not compile, and the error
//! must point at the author's signature. The expected compiler output is in
//! `tests/ui/*.stderr` (regenerate with `TRYBUILD=overwrite` after a toolchain
//! bump, then review the diff).

#[test]
fn wrong_signatures_are_compile_errors_at_the_signature() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
