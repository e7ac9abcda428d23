//! Fault guest: a component of a world the switch does not know. It imports our
//! `log` but exports `hello` instead of `route` or `run`, so loading it as a
//! dialplan or an app must fail with `ScriptError::WrongWorld` naming `route`/`run`.

wit_bindgen::generate!({
    inline: "
        package witswitch-test:wrong-world;

        world wrong {
            import witswitch:script/log@0.1.0;
            export hello: func() -> string;
        }
    ",
    path: "../../../wit",
    world: "witswitch-test:wrong-world/wrong",
    generate_all,
});

struct WrongWorld;

impl Guest for WrongWorld {
    fn hello() -> String {
        witswitch::script::log::log(witswitch::script::types::LogLevel::Info, "hello");
        String::from("hello")
    }
}

export!(WrongWorld);
