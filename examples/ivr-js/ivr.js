// The example IVR (examples/ivr, the main number 5000) in JavaScript:
//
// 1. Answer and play the welcome prompt; a digit pressed during it is the
//    choice, else wait up to 5 s for one.
// 2. `1` bridges to the operator user/1001; `2` transfers to the echo test 9196
//    in `default`; `3` records a message after a tone and plays it back.
// 3. Any other digit plays the invalid prompt and starts over, at most three
//    times; then goodbye. Silence plays goodbye and hangs up.

import { HangupCause, collectOptions, digitOf, log, recordOptions } from "witswitch";

const WELCOME = "sounds/ivr-welcome.wav";
const INVALID = "sounds/ivr-invalid.wav";
const GOODBYE = "sounds/ivr-goodbye.wav";
const RECORD_AFTER_TONE = "sounds/ivr-record-after-tone.wav";
const BEEP = "tone_stream://%(500,0,800)";
const OPERATOR = "user/1001";
const MAX_TRIES = 3;
const CHOICE_TIMEOUT_MS = 5000;

export function run(call) {
  call.answer();
  // A digit that interrupted the invalid prompt is the next choice.
  let pressed;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const choice = pressed !== undefined ? pressed : menuChoice(call);
    pressed = undefined;
    switch (choice) {
      case undefined:
        return goodbye(call);
      case "1":
        return operator(call);
      case "2":
        return call.transfer("9196", "default");
      case "3":
        return recordMessage(call);
      default:
        log.info(`ivr-js: invalid choice ${choice}`);
        pressed = digitOf(call.play(INVALID));
    }
  }
  return goodbye(call);
}

// Plays the menu and returns the digit pressed, or undefined on silence.
function menuChoice(call) {
  const digit = digitOf(call.play(WELCOME));
  if (digit !== undefined) return digit;
  // No terminators: every key, `#` included, is a choice.
  const collected = call.collectDigits(
    collectOptions(1, { firstDigitTimeoutMs: CHOICE_TIMEOUT_MS, terminators: "" }),
  );
  return collected.digits.length > 0 ? collected.digits[0] : undefined;
}

function operator(call) {
  const outcome = call.bridge(OPERATOR);
  if (outcome.tag === "completed") return call.hangup(HangupCause.NORMAL_CLEARING);
  log.notice(`ivr-js: operator ${OPERATOR} not reached: ${outcome.val}`);
  call.play(GOODBYE);
  return call.hangup(outcome.val);
}

function recordMessage(call) {
  call.play(RECORD_AFTER_TONE);
  call.play(BEEP);
  const path = `ivr-messages/${call.info().uuid}.wav`;
  const recording = call.record(recordOptions(path, { maxSeconds: 30, silenceSeconds: 3 }));
  log.info(`ivr-js: recorded ${recording.path} (${recording.durationMs} ms)`);
  call.play(recording.path);
  return goodbye(call);
}

function goodbye(call) {
  call.play(GOODBYE);
  return call.hangup(HangupCause.NORMAL_CLEARING);
}
