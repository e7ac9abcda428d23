//! An IVR menu: the main number (5000 in the example dialplan).
//!
//! 1. Answer and play the welcome prompt; a digit pressed during it is the choice,
//!    else wait up to 5 s for one.
//! 2. `1` bridges to the operator `user/1001`; `2` sends the caller to the echo
//!    test (transfer to 9196 in `default`); `3` records a message after a tone
//!    and plays it back.
//! 3. Any other digit plays the invalid prompt and starts over, at most three
//!    times; then goodbye.
//! 4. Silence (no digit in time) plays goodbye and hangs up.
//!
//! Prompts (`conf/sounds/`): `ivr-welcome.wav`, `ivr-invalid.wav`,
//! `ivr-goodbye.wav`, `ivr-record-after-tone.wav`.

use witswitch_guest::{
    BridgeOutcome, Call, CollectOptions, Hangup, HangupCause, PlayOutcome, RecordOptions, app, log,
};

/// "Welcome. For the operator press 1, for an echo test press 2, to record a
/// message press 3."
const WELCOME: &str = "sounds/ivr-welcome.wav";
/// "That is not a valid choice."
const INVALID: &str = "sounds/ivr-invalid.wav";
/// "Goodbye."
const GOODBYE: &str = "sounds/ivr-goodbye.wav";
/// "Record your message after the tone. Press pound when done."
const RECORD_AFTER_TONE: &str = "sounds/ivr-record-after-tone.wav";
/// The tone before recording: 500 ms at 800 Hz.
const BEEP: &str = "tone_stream://%(500,0,800)";

/// Where choice 1 goes.
const OPERATOR: &str = "user/1001";
/// The echo test extension of the example dialplan (choice 2), in `default`
/// whatever context the caller came from: the IVR is also the `public` entry, and
/// `public` has no feature codes (FreeSWITCH's demo IVR does the same with
/// `transfer 9196 XML default`).
const ECHO_TEST: (&str, &str) = ("9196", "default");
/// How many invalid choices before goodbye.
const MAX_TRIES: u32 = 3;
/// How long to wait for a choice after the welcome prompt.
const CHOICE_TIMEOUT_MS: u32 = 5_000;
/// Longest message (choice 3), and the silence that ends it.
const MESSAGE_MAX_SECONDS: u32 = 30;
const MESSAGE_SILENCE_SECONDS: u32 = 3;

#[app]
fn run(call: Call) -> Result<(), Hangup> {
    call.answer()?;
    // A digit that interrupted the invalid prompt is the next choice.
    let mut pressed: Option<char> = None;
    for _ in 0..MAX_TRIES {
        let choice = match pressed.take() {
            Some(digit) => Some(digit),
            None => menu_choice(&call)?,
        };
        match choice {
            None => return goodbye(&call),
            Some('1') => return operator(&call),
            Some('2') => return call.transfer(ECHO_TEST.0, Some(ECHO_TEST.1)),
            Some('3') => return record_message(&call),
            Some(other) => {
                log::info(&format!("ivr: invalid choice {other}"));
                pressed = call.play(INVALID)?.digit();
            }
        }
    }
    goodbye(&call)
}

/// Plays the menu and returns the digit pressed, or `None` on silence.
fn menu_choice(call: &Call) -> Result<Option<char>, Hangup> {
    if let PlayOutcome::Interrupted(digit) = call.play(WELCOME)? {
        return Ok(Some(digit));
    }
    // No terminators: every key, `#` included, is a choice.
    let collected = call.collect_digits(
        CollectOptions::new(1)
            .first_digit_timeout_ms(CHOICE_TIMEOUT_MS)
            .terminators(""),
    )?;
    Ok(collected.digits.chars().next())
}

fn operator(call: &Call) -> Result<(), Hangup> {
    match call.bridge(OPERATOR)? {
        BridgeOutcome::Completed(_) => call.hangup(HangupCause::NormalClearing),
        BridgeOutcome::Failed(cause) => {
            log::notice(&format!("ivr: operator {OPERATOR} not reached: {cause}"));
            call.play(GOODBYE)?;
            call.hangup(cause)
        }
    }
}

fn record_message(call: &Call) -> Result<(), Hangup> {
    call.play(RECORD_AFTER_TONE)?;
    call.play(BEEP)?;
    let path = format!("ivr-messages/{}.wav", call.info().uuid);
    let recording = call.record(
        RecordOptions::new(&path)
            .max_seconds(MESSAGE_MAX_SECONDS)
            .silence_seconds(MESSAGE_SILENCE_SECONDS),
    )?;
    log::info(&format!(
        "ivr: recorded {} ({} ms)",
        recording.path, recording.duration_ms
    ));
    call.play(&recording.path)?;
    goodbye(call)
}

fn goodbye(call: &Call) -> Result<(), Hangup> {
    call.play(GOODBYE)?;
    call.hangup(HangupCause::NormalClearing)
}
