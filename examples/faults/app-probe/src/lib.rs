//! Test guest: an `app` whose behaviour is chosen by the `app_probe_mode` channel
//! variable, for host tests and benchmarks of the `call` resource.
//!
//! - `collect` (default): answer, collect up to 4 digits ending in `#`, store them
//!   in `collected`, and, for `1`, bridge `user/1001`; then hang up.
//! - `collect-then-spin`: collect digits, then loop forever (the CPU deadline must
//!   end it, and the time spent waiting for digits must not count).
//! - `spin`: loop forever at once.
//! - `until-hangup`: play a prompt again and again until a method returns the
//!   `hangup` error, record that in `after_hangup`, and return the error.

wit_bindgen::generate!({ path: "../../../wit", world: "app", generate_all });

use witswitch::script::session::CollectOptions;
use witswitch::script::types::HangupCause;

struct AppProbe;

fn spin() -> ! {
    let mut counter: u64 = 1;
    loop {
        counter = core::hint::black_box(counter.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

fn collect(call: &Call) -> Result<String, CallError> {
    let got = call.collect_digits(&CollectOptions {
        max_digits: 4,
        first_digit_timeout_ms: 5_000,
        inter_digit_timeout_ms: 2_000,
        terminators: "#".into(),
    })?;
    call.set_var("collected", &got.digits)?;
    Ok(got.digits)
}

fn until_hangup(call: &Call) -> Result<(), CallError> {
    loop {
        if let Err(error) = call.play("ivr/ivr-welcome.wav") {
            // Every method must now report the hangup too.
            let again = call.answer();
            let _ = call.set_var("after_hangup", &format!("{again:?}"));
            return Err(error);
        }
    }
}

impl Guest for AppProbe {
    fn run(call: Call) -> Result<(), CallError> {
        let mode = call.get_var("app_probe_mode")?.unwrap_or_else(|| "collect".into());
        match mode.as_str() {
            "spin" => spin(),
            "collect-then-spin" => {
                collect(&call)?;
                spin()
            }
            "until-hangup" => until_hangup(&call),
            _ => {
                call.answer()?;
                let digits = collect(&call)?;
                if digits == "1" {
                    call.bridge("user/1001")?;
                }
                call.hangup(HangupCause::NormalClearing)
            }
        }
    }
}

export!(AppProbe);
