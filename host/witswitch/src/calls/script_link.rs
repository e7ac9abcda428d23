//! Between the call engine and the script host: call descriptions, actions,
//! hangup causes (both WIT-side enums are matched by their FreeSWITCH names)
//! and the outcomes of `route` and `run`.

use witswitch_core as core;
use witswitch_script as script;
use witswitch_script::format::{cause_from_name, cause_name};

/// The engine's call description as the WIT `call-info`.
pub fn to_script_call(info: &core::CallInfo) -> script::CallInfo {
    let pairs = |list: &[(String, String)]| {
        list.iter()
            .map(|(key, value)| script::KeyValue {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    };
    script::CallInfo {
        uuid: info.uuid.clone(),
        profile: info.profile.clone(),
        context: info.context.clone(),
        destination_number: info.destination_number.clone(),
        caller_id_name: info.caller_id_name.clone(),
        caller_id_number: info.caller_id_number.clone(),
        network_addr: info.network_addr.clone(),
        network_port: info.network_port,
        username: info.username.clone(),
        from_user: info.from_user.clone(),
        from_host: info.from_host.clone(),
        to_user: info.to_user.clone(),
        to_host: info.to_host.clone(),
        sip_call_id: info.sip_call_id.clone(),
        user_agent: info.user_agent.clone(),
        sip_headers: pairs(&info.sip_headers),
        variables: pairs(&info.variables),
    }
}

/// A WIT hangup cause as the switch's.
pub fn to_core_cause(cause: script::HangupCause) -> core::HangupCause {
    cause_name(cause)
        .parse()
        .unwrap_or(core::HangupCause::NormalUnspecified)
}

/// The switch's hangup cause as the WIT enum (the nearest for causes the WIT
/// does not list).
pub fn to_script_cause(cause: core::HangupCause) -> script::HangupCause {
    cause_from_name(cause.name()).unwrap_or(script::HangupCause::NormalUnspecified)
}

fn to_core_level(level: script::LogLevel) -> core::LogLevel {
    match level {
        script::LogLevel::Debug => core::LogLevel::Debug,
        script::LogLevel::Info => core::LogLevel::Info,
        script::LogLevel::Notice => core::LogLevel::Notice,
        script::LogLevel::Warning => core::LogLevel::Warning,
        script::LogLevel::Err => core::LogLevel::Err,
        script::LogLevel::Crit => core::LogLevel::Crit,
        script::LogLevel::Alert => core::LogLevel::Alert,
    }
}

/// One dialplan action as the engine's.
pub fn to_core_action(action: script::Action) -> core::Action {
    use script::Action as S;
    match action {
        S::Answer => core::Action::Answer,
        S::PreAnswer => core::Action::PreAnswer,
        S::RingReady => core::Action::RingReady,
        S::Playback(source) => core::Action::Playback(source),
        S::Bridge(dial) => core::Action::Bridge(dial),
        S::RecordSession(path) => core::Action::RecordSession(path),
        S::StopRecordSession(path) => core::Action::StopRecordSession(path),
        S::Set(kv) => core::Action::Set {
            name: kv.key,
            value: kv.value,
        },
        S::Export(kv) => core::Action::Export {
            name: kv.key,
            value: kv.value,
        },
        S::Unset(name) => core::Action::Unset(name),
        S::Hangup(cause) => core::Action::Hangup(to_core_cause(cause)),
        S::Transfer(target) => core::Action::Transfer {
            extension: target.extension,
            context: target.context,
        },
        S::Sleep(ms) => core::Action::Sleep(ms),
        S::Echo => core::Action::Echo,
        S::Park => core::Action::Park,
        S::Log(message) => core::Action::Log {
            level: to_core_level(message.level),
            message: message.message,
        },
        S::App(app) => core::Action::App {
            name: app.name,
            args: app.args,
        },
        S::Execute(exec) => core::Action::Execute {
            name: exec.name,
            data: exec.data,
        },
    }
}

/// The result of `route` as the engine takes it.
pub fn route_outcome(
    result: Result<script::RouteResult, script::ScriptError>,
) -> Result<Vec<core::Action>, core::RouteError> {
    match result {
        Ok(script::RouteResult::Actions(actions)) => {
            Ok(actions.into_iter().map(to_core_action).collect())
        }
        Ok(script::RouteResult::NoRoute) => Err(core::RouteError::NoRoute),
        Err(error) => Err(script_failure(&error)),
    }
}

fn script_failure(error: &script::ScriptError) -> core::RouteError {
    if to_core_cause(error.hangup_cause()) == core::HangupCause::DestinationOutOfOrder {
        core::RouteError::ScriptUnavailable(error.to_string())
    } else {
        core::RouteError::ScriptFailed(error.to_string())
    }
}

/// The end of an app's `run` as the engine takes it.
pub fn app_outcome(result: Result<script::AppOutcome, script::ScriptError>) -> core::AppOutcome {
    match result {
        Ok(script::AppOutcome::Completed) => core::AppOutcome::Completed,
        Ok(script::AppOutcome::CallEnded(cause)) => {
            core::AppOutcome::CallEnded(to_core_cause(cause))
        }
        Ok(script::AppOutcome::Failed(error)) => core::AppOutcome::Failed(format!("{error:?}")),
        Err(error) => core::AppOutcome::ScriptFailed {
            message: error.to_string(),
            cause: to_core_cause(error.hangup_cause()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_map_by_name_both_ways() {
        for cause in [
            script::HangupCause::NormalClearing,
            script::HangupCause::UserNotRegistered,
            script::HangupCause::OriginatorCancel,
            script::HangupCause::GatewayDown,
        ] {
            assert_eq!(to_script_cause(to_core_cause(cause)), cause);
        }
        assert_eq!(
            to_core_cause(script::HangupCause::UserBusy),
            core::HangupCause::UserBusy
        );
    }

    #[test]
    fn actions_keep_their_data() {
        let action = to_core_action(script::Action::Set(script::KeyValue {
            key: "call_timeout".into(),
            value: "30".into(),
        }));
        assert_eq!(
            action,
            core::Action::Set {
                name: "call_timeout".into(),
                value: "30".into()
            }
        );
        assert_eq!(
            route_outcome(Ok(script::RouteResult::NoRoute)),
            Err(core::RouteError::NoRoute)
        );
        assert_eq!(
            to_core_action(script::Action::Hangup(
                script::HangupCause::UserNotRegistered
            )),
            core::Action::Hangup(core::HangupCause::UserNotRegistered)
        );
    }
}
