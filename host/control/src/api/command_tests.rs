//! Tests of the API command parser.

use super::*;
use crate::api::loglevel::LogLevel;

fn parse(line: &str) -> Result<ApiCommand, ApiError> {
    ApiCommand::parse(line)
}

#[test]
fn unknown_command_text_matches_recording() {
    let err = parse("bogus_command").err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("-ERR bogus_command Command not found!\n")
    );
    assert_eq!(
        parse("uuid_bogus x"),
        Err(ApiError::NotFound("uuid_bogus".into()))
    );
}

#[test]
fn show_forms() {
    let show = |table, json, count| {
        Ok(ApiCommand::Show(ShowCommand {
            table,
            json,
            count,
            like: None,
        }))
    };
    assert_eq!(
        parse("show channels"),
        show(ShowTable::Channels, false, false)
    );
    assert_eq!(
        parse("show channels as json"),
        show(ShowTable::Channels, true, false)
    );
    assert_eq!(
        parse("show calls count"),
        show(ShowTable::Calls, false, true)
    );
    assert_eq!(
        parse("show registrations"),
        show(ShowTable::Registrations, false, false)
    );
    assert_eq!(parse("show modules"), Err(ApiError::Usage(usage::SHOW)));
    assert_eq!(parse("show channels as"), Err(ApiError::Usage(usage::SHOW)));
}

#[test]
fn originate_forms() {
    let Ok(ApiCommand::Originate(app)) = parse("originate user/1005 &echo") else {
        panic!("originate with app did not parse");
    };
    assert_eq!(
        app.target,
        OriginateTarget::Application {
            name: "echo".into(),
            args: String::new()
        }
    );
    let Ok(ApiCommand::Originate(app)) =
        parse("originate {a=b,c=d}sofia/internal/1001@127.0.0.1:5070 &playback(/tmp/x y.wav)")
    else {
        panic!("originate with vars did not parse");
    };
    assert_eq!(
        app.dial_string,
        "{a=b,c=d}sofia/internal/1001@127.0.0.1:5070"
    );
    assert_eq!(
        app.target,
        OriginateTarget::Application {
            name: "playback".into(),
            args: "/tmp/x y.wav".into()
        }
    );
    let Ok(ApiCommand::Originate(ext)) =
        parse("originate user/1000 9196 XML default 'Alice A' 1000 30")
    else {
        panic!("originate to extension did not parse");
    };
    assert_eq!(
        ext.target,
        OriginateTarget::Extension {
            exten: "9196".into(),
            dialplan: Some("XML".into()),
            context: Some("default".into())
        }
    );
    assert_eq!(
        (ext.caller_id_name.as_deref(), ext.timeout_secs),
        (Some("Alice A"), Some(30))
    );
    assert_eq!(
        parse("originate user/1000"),
        Err(ApiError::Usage(usage::ORIGINATE))
    );
    assert_eq!(
        parse("originate user/1000 9196 XML default a b soon"),
        Err(ApiError::Usage(usage::ORIGINATE))
    );
}

#[test]
fn uuid_commands() {
    assert_eq!(
        parse("uuid_kill bogus"),
        Ok(ApiCommand::UuidKill {
            uuid: "bogus".into(),
            cause: None
        })
    );
    assert_eq!(parse("uuid_kill"), Err(ApiError::Usage(usage::UUID_KILL)));
    assert_eq!(
        parse("uuid_transfer u -bleg 9000 XML default"),
        Ok(ApiCommand::UuidTransfer {
            uuid: "u".into(),
            leg: TransferLeg::B,
            destination: "9000".into(),
            dialplan: Some("XML".into()),
            context: Some("default".into())
        })
    );
    assert_eq!(
        parse("uuid_transfer u -both"),
        Err(ApiError::Usage(usage::UUID_TRANSFER))
    );
    assert_eq!(
        parse("uuid_setvar u greeting hello world"),
        Ok(ApiCommand::UuidSetVar {
            uuid: "u".into(),
            name: "greeting".into(),
            value: Some("hello world".into())
        })
    );
    assert_eq!(
        parse("uuid_record u start /tmp/r.wav 60"),
        Ok(ApiCommand::UuidRecord {
            uuid: "u".into(),
            action: RecordAction::Start,
            path: "/tmp/r.wav".into(),
            limit_secs: Some(60)
        })
    );
    assert_eq!(
        parse("uuid_break u all"),
        Ok(ApiCommand::UuidBreak {
            uuid: "u".into(),
            all: true
        })
    );
    assert_eq!(
        parse("uuid_dump u json"),
        Ok(ApiCommand::UuidDump {
            uuid: "u".into(),
            format: Some("json".into())
        })
    );
}

#[test]
fn fsctl_sofia_script_globals() {
    assert_eq!(
        parse("fsctl loglevel"),
        Ok(ApiCommand::Fsctl(FsctlCommand::LogLevel(
            LogLevelSetting::Disable
        )))
    );
    assert_eq!(
        parse("fsctl loglevel warning"),
        Ok(ApiCommand::Fsctl(FsctlCommand::LogLevel(
            LogLevelSetting::Level(LogLevel::Warning)
        )))
    );
    assert_eq!(
        parse("fsctl shutdown elegant"),
        Ok(ApiCommand::Fsctl(FsctlCommand::Shutdown(
            ShutdownMode::Elegant
        )))
    );
    assert_eq!(
        parse("fsctl max_sessions many"),
        Err(ApiError::Usage(usage::FSCTL))
    );
    assert_eq!(
        parse("sofia status profile internal reg 1000"),
        Ok(ApiCommand::Sofia(SofiaCommand::StatusProfile {
            profile: "internal".into(),
            registrations: Some(Some("1000".into()))
        }))
    );
    assert_eq!(
        parse("sofia profile external killgw carrier"),
        Ok(ApiCommand::Sofia(SofiaCommand::KillGateway {
            profile: "external".into(),
            gateway: "carrier".into()
        }))
    );
    assert_eq!(
        parse("sofia profile external killgw"),
        Err(ApiError::Usage(usage::SOFIA))
    );
    assert_eq!(
        parse("script reload ivr"),
        Ok(ApiCommand::ScriptReload { name: "ivr".into() })
    );
    assert_eq!(
        parse("global_getvar domain"),
        Ok(ApiCommand::GlobalGetVar {
            name: Some("domain".into())
        })
    );
    assert_eq!(
        parse("global_setvar a = b=c"),
        Ok(ApiCommand::GlobalSetVar {
            name: "a".into(),
            value: "b=c".into()
        })
    );
    assert_eq!(parse("STATUS"), Ok(ApiCommand::Status));
    assert_eq!(
        parse("uptime ms"),
        Ok(ApiCommand::Uptime {
            unit: UptimeUnit::Milliseconds
        })
    );
}
