//! Digit collection on a live channel: `collect-digits`, and
//! `play-and-get-digits` / `read` (prompt, collect, validate, retry with an
//! invalid prompt; FreeSWITCH's `switch_play_and_get_digits` loop: the
//! DTMF buffer is flushed before each try, the invalid prompt is played
//! after every failed try, and a try that ends with at least `min` digits
//! on a timeout still counts as input).

use std::time::{Duration, Instant};

use regex::Regex;
use witswitch_types::ChannelId;

use crate::app_io::{
    AppError, AppResponse, CollectOptions, CollectedDigits, PlayAndGetDigitsOptions,
};
use crate::channel::Owner;
use crate::digits::{CollectStep, Collector};
use crate::media_io::{MediaCommand, PlayId};
use crate::timers::TimerKind;

use super::Engine;
use super::ops::OpKind;

/// Longest regular expression accepted from a script or dialplan.
const MAX_REGEX_LEN: usize = 1024;

/// Where a `play-and-get-digits` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Playing the prompt; the first digit stops it.
    Prompt { play_id: PlayId, stopping: bool },
    /// Waiting for digits.
    Collect,
    /// Playing the invalid-input prompt.
    Invalid { play_id: PlayId },
}

/// State of one `play-and-get-digits`.
#[derive(Debug)]
pub(crate) struct Pagd {
    options: PlayAndGetDigitsOptions,
    regex: Option<Regex>,
    tries_left: u32,
    phase: Phase,
    collector: Collector,
    /// Collection finished during the prompt; validated when the prompt stops.
    result: Option<CollectedDigits>,
}

impl Pagd {
    /// Whether `play_id` is the prompt this operation is playing.
    pub(crate) fn is_playing(&self, play_id: PlayId) -> bool {
        match self.phase {
            Phase::Prompt { play_id: p, .. } | Phase::Invalid { play_id: p } => p == play_id,
            Phase::Collect => false,
        }
    }

    fn collector(options: &PlayAndGetDigitsOptions) -> Collector {
        Collector::new(
            options.max_digits,
            &options.terminators,
            Duration::from_millis(u64::from(options.timeout_ms)),
            Duration::from_millis(u64::from(options.digit_timeout_ms)),
        )
    }

    /// FreeSWITCH's rule for a try's input.
    fn is_valid(&self, input: &CollectedDigits) -> bool {
        let len = u32::try_from(input.digits.chars().count()).unwrap_or(u32::MAX);
        if input.digits.is_empty() {
            return self.options.min_digits == 0 && input.terminator.is_some();
        }
        let regex_ok = self
            .regex
            .as_ref()
            .is_none_or(|re| re.is_match(&input.digits));
        len >= self.options.min_digits && len <= self.options.max_digits && regex_ok
    }
}

/// Compiles a script-supplied pattern with a size cap.
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, AppError> {
    if pattern.len() > MAX_REGEX_LEN {
        return Err(AppError::InvalidArgument("valid-regex is too long".into()));
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| AppError::InvalidArgument(format!("valid-regex: {e}")))
}

impl Engine {
    pub(crate) fn start_collect(
        &mut self,
        now: Instant,
        id: ChannelId,
        owner: Owner,
        options: CollectOptions,
    ) {
        let mut collector = Collector::new(
            options.max_digits,
            &options.terminators,
            Duration::from_millis(u64::from(options.first_digit_timeout_ms)),
            Duration::from_millis(u64::from(options.inter_digit_timeout_ms)),
        );
        let Some(ch) = self.channels.get_mut(&id) else {
            return;
        };
        let (done, used) = collector.push_buffered(&ch.dtmf);
        let cut = ch
            .dtmf
            .char_indices()
            .nth(used)
            .map_or(ch.dtmf.len(), |(i, _)| i);
        ch.dtmf.drain(..cut);
        let next = collector.next_timeout();
        self.set_op(id, owner, OpKind::Collect(collector), None);
        match done {
            Some(collected) => self.finish_op(now, id, Ok(AppResponse::Digits(collected))),
            None => self.arm_op_timer(now, id, next, TimerKind::Digits(id)),
        }
    }

    pub(crate) fn collect_digit(&mut self, now: Instant, id: ChannelId, digit: char) {
        let Some(op) = self.channels.get_mut(&id).and_then(|c| c.op.as_mut()) else {
            return;
        };
        let OpKind::Collect(collector) = &mut op.kind else {
            return;
        };
        match collector.push(digit) {
            CollectStep::Done(collected) => {
                self.finish_op(now, id, Ok(AppResponse::Digits(collected)))
            }
            CollectStep::Continue => {
                let next = collector.next_timeout();
                self.arm_op_timer(now, id, next, TimerKind::Digits(id));
            }
        }
    }

    pub(crate) fn start_play_and_get_digits(
        &mut self,
        now: Instant,
        id: ChannelId,
        owner: Owner,
        options: PlayAndGetDigitsOptions,
    ) {
        let regex = match options
            .valid_regex
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(compile_regex)
        {
            Some(Err(error)) => {
                self.deliver(now, id, owner, Err(error));
                return;
            }
            Some(Ok(regex)) => Some(regex),
            None => None,
        };
        let pagd = Pagd {
            collector: Pagd::collector(&options),
            tries_left: options.tries.max(1),
            regex,
            options,
            phase: Phase::Collect,
            result: None,
        };
        self.set_op(id, owner, OpKind::PlayAndGet(Box::new(pagd)), None);
        self.pagd_begin_try(now, id);
    }

    fn pagd_mut(&mut self, id: ChannelId) -> Option<&mut Pagd> {
        match &mut self.channels.get_mut(&id)?.op.as_mut()?.kind {
            OpKind::PlayAndGet(pagd) => Some(pagd),
            _ => None,
        }
    }

    fn pagd_begin_try(&mut self, now: Instant, id: ChannelId) {
        if let Some(ch) = self.channels.get_mut(&id) {
            ch.dtmf.clear();
        }
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        pagd.collector = Pagd::collector(&pagd.options);
        pagd.result = None;
        let prompt = pagd.options.prompt.clone();
        if prompt.is_empty() {
            self.pagd_collect(now, id);
            return;
        }
        let play_id = self.play(now, id, &prompt);
        if let Some(pagd) = self.pagd_mut(id) {
            pagd.phase = Phase::Prompt {
                play_id,
                stopping: false,
            };
        }
    }

    fn pagd_collect(&mut self, now: Instant, id: ChannelId) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        pagd.phase = Phase::Collect;
        let next = pagd.collector.next_timeout();
        self.arm_op_timer(now, id, next, TimerKind::Digits(id));
    }

    pub(crate) fn pagd_digit(&mut self, now: Instant, id: ChannelId, digit: char) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        match pagd.phase {
            Phase::Prompt { play_id, stopping } => {
                if let CollectStep::Done(result) = pagd.collector.push(digit) {
                    pagd.result = Some(result);
                }
                if !stopping {
                    pagd.phase = Phase::Prompt {
                        play_id,
                        stopping: true,
                    };
                    self.push_media(MediaCommand::StopPlay { leg: id.leg() });
                }
            }
            Phase::Collect => match pagd.collector.push(digit) {
                CollectStep::Done(result) => self.pagd_validate(now, id, result),
                CollectStep::Continue => {
                    let next = pagd.collector.next_timeout();
                    self.arm_op_timer(now, id, next, TimerKind::Digits(id));
                }
            },
            // Input during the invalid prompt belongs to no try (flushed next try).
            Phase::Invalid { .. } => {}
        }
    }

    pub(crate) fn pagd_timeout(&mut self, now: Instant, id: ChannelId) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        if pagd.phase != Phase::Collect {
            return;
        }
        let result = pagd.collector.timeout();
        self.pagd_validate(now, id, result);
    }

    pub(crate) fn pagd_playback_done(&mut self, now: Instant, id: ChannelId) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        match pagd.phase {
            Phase::Prompt { .. } => match pagd.result.take() {
                Some(result) => self.pagd_validate(now, id, result),
                None => self.pagd_collect(now, id),
            },
            Phase::Invalid { .. } => self.pagd_next_try(now, id),
            Phase::Collect => {}
        }
    }

    fn pagd_validate(&mut self, now: Instant, id: ChannelId, input: CollectedDigits) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        if pagd.is_valid(&input) {
            self.finish_op(now, id, Ok(AppResponse::ValidDigits(Some(input.digits))));
            return;
        }
        pagd.tries_left = pagd.tries_left.saturating_sub(1);
        match pagd
            .options
            .invalid_prompt
            .clone()
            .filter(|p| !p.is_empty())
        {
            Some(prompt) => {
                let play_id = self.play(now, id, &prompt);
                if let Some(pagd) = self.pagd_mut(id) {
                    pagd.phase = Phase::Invalid { play_id };
                }
                if let Some(op) = self.channels.get_mut(&id).and_then(|c| c.op.as_mut())
                    && let Some(timer) = op.timer.take()
                {
                    self.timers.cancel(timer);
                }
            }
            None => self.pagd_next_try(now, id),
        }
    }

    fn pagd_next_try(&mut self, now: Instant, id: ChannelId) {
        let Some(pagd) = self.pagd_mut(id) else {
            return;
        };
        if pagd.tries_left == 0 {
            self.finish_op(now, id, Ok(AppResponse::ValidDigits(None)));
        } else {
            self.pagd_begin_try(now, id);
        }
    }
}
