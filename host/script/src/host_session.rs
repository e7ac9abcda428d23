//! `witswitch:script/session`: the `call` resource's methods. Each looks up the
//! guest's handle in the store's resource table and delegates to its
//! [`CallHandle`], which guards and forwards to the call engine's
//! [`crate::CallControl`]. An unknown handle traps the guest (it can only come
//! from a corrupted guest).

use wasmtime::component::Resource;

use crate::bindings::session::{
    BridgeOutcome, CallError, CollectOptions, CollectedDigits, Host, HostCall,
    PlayAndGetDigitsOptions, PlayOutcome, RecordOptions, Recording,
};
use crate::bindings::types::{CallInfo, HangupCause};
use crate::call::CallHandle;
use crate::state::ScriptState;

type CallResult<T> = wasmtime::Result<Result<T, CallError>>;

impl ScriptState {
    fn call(&mut self, handle: &Resource<CallHandle>) -> wasmtime::Result<&mut CallHandle> {
        Ok(self.table.get_mut(handle)?)
    }
}

impl Host for ScriptState {}

impl HostCall for ScriptState {
    async fn info(&mut self, handle: Resource<CallHandle>) -> wasmtime::Result<CallInfo> {
        Ok(self.call(&handle)?.info().clone())
    }

    async fn answer(&mut self, handle: Resource<CallHandle>) -> CallResult<()> {
        Ok(self.call(&handle)?.answer().await)
    }

    async fn pre_answer(&mut self, handle: Resource<CallHandle>) -> CallResult<()> {
        Ok(self.call(&handle)?.pre_answer().await)
    }

    async fn hangup(&mut self, handle: Resource<CallHandle>, cause: HangupCause) -> CallResult<()> {
        Ok(self.call(&handle)?.hangup(cause).await)
    }

    async fn play(
        &mut self,
        handle: Resource<CallHandle>,
        source: String,
    ) -> CallResult<PlayOutcome> {
        Ok(self.call(&handle)?.play(source).await)
    }

    async fn collect_digits(
        &mut self,
        handle: Resource<CallHandle>,
        options: CollectOptions,
    ) -> CallResult<CollectedDigits> {
        Ok(self.call(&handle)?.collect_digits(options).await)
    }

    async fn play_and_get_digits(
        &mut self,
        handle: Resource<CallHandle>,
        options: PlayAndGetDigitsOptions,
    ) -> CallResult<Option<String>> {
        Ok(self.call(&handle)?.play_and_get_digits(options).await)
    }

    async fn record(
        &mut self,
        handle: Resource<CallHandle>,
        options: RecordOptions,
    ) -> CallResult<Recording> {
        Ok(self.call(&handle)?.record(options).await)
    }

    async fn bridge(
        &mut self,
        handle: Resource<CallHandle>,
        dial_string: String,
    ) -> CallResult<BridgeOutcome> {
        Ok(self.call(&handle)?.bridge(dial_string).await)
    }

    async fn transfer(
        &mut self,
        handle: Resource<CallHandle>,
        extension: String,
        context: Option<String>,
    ) -> CallResult<()> {
        Ok(self.call(&handle)?.transfer(extension, context).await)
    }

    async fn get_var(
        &mut self,
        handle: Resource<CallHandle>,
        name: String,
    ) -> CallResult<Option<String>> {
        Ok(self.call(&handle)?.get_var(name).await)
    }

    async fn set_var(
        &mut self,
        handle: Resource<CallHandle>,
        name: String,
        value: String,
    ) -> CallResult<()> {
        Ok(self.call(&handle)?.set_var(name, value).await)
    }

    async fn sleep(&mut self, handle: Resource<CallHandle>, ms: u32) -> CallResult<()> {
        Ok(self.call(&handle)?.sleep(ms).await)
    }

    async fn send_dtmf(&mut self, handle: Resource<CallHandle>, digits: String) -> CallResult<()> {
        Ok(self.call(&handle)?.send_dtmf(digits).await)
    }

    async fn record_session(
        &mut self,
        handle: Resource<CallHandle>,
        path: String,
    ) -> CallResult<()> {
        Ok(self.call(&handle)?.record_session(path).await)
    }

    async fn stop_record_session(
        &mut self,
        handle: Resource<CallHandle>,
        path: String,
    ) -> CallResult<()> {
        Ok(self.call(&handle)?.stop_record_session(path).await)
    }

    async fn drop(&mut self, handle: Resource<CallHandle>) -> wasmtime::Result<()> {
        self.table.delete(handle)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use wasmtime::component::Resource;

    use super::*;
    use crate::engine::{Invocation, ScriptEngine};
    use crate::settings::{EngineSettings, EpochTicking, ScriptSettings};
    use crate::state::InvocationContext;
    use crate::testing::{CallOp, ScriptedCall};

    fn engine() -> ScriptEngine {
        ScriptEngine::new(&EngineSettings {
            max_instances: 2,
            epoch: EpochTicking::Manual {
                tick: Duration::from_millis(1),
            },
            ..EngineSettings::default()
        })
        .expect("engine")
    }

    fn store(engine: &ScriptEngine) -> wasmtime::Store<ScriptState> {
        engine.store(Invocation {
            context: InvocationContext {
                script: Arc::from("ivr"),
                version: Arc::from("0123456789abcdef"),
                call_uuid: Arc::from("uuid-1"),
                globals: Arc::new(HashMap::new()),
            },
            settings: Arc::new(ScriptSettings::default()),
            cpu_budget: Duration::from_millis(10),
        })
    }

    #[tokio::test]
    async fn the_host_trait_resolves_handles_and_delegates() {
        let engine = engine();
        let mut store = store(&engine);
        let state = store.data_mut();
        let (fake, record) = ScriptedCall::new();
        let info = crate::synthetic_call_info("5000", "1000", "default", &[]);
        let handle = state
            .table
            .push(CallHandle::new(info, fake.with_var("lang", "en")))
            .expect("push");
        let rep = handle.rep();
        let again = || Resource::<CallHandle>::new_borrow(rep);

        assert_eq!(
            HostCall::info(state, again())
                .await
                .expect("info")
                .destination_number,
            "5000"
        );
        assert_eq!(
            HostCall::answer(state, again()).await.expect("no trap"),
            Ok(())
        );
        assert_eq!(
            HostCall::get_var(state, again(), "lang".into())
                .await
                .expect("no trap"),
            Ok(Some("en".into()))
        );
        assert_eq!(
            HostCall::hangup(state, again(), HangupCause::NormalClearing)
                .await
                .expect("no trap"),
            Ok(())
        );
        assert_eq!(
            HostCall::sleep(state, again(), 5).await.expect("no trap"),
            Err(CallError::Hangup(HangupCause::NormalClearing))
        );
        assert_eq!(
            record.ops(),
            [
                CallOp::Answer,
                CallOp::GetVar("lang".into()),
                CallOp::Hangup(HangupCause::NormalClearing)
            ]
        );
        // The guest dropping its handle frees the host object; using it
        // afterwards is a trap, not a panic.
        HostCall::drop(state, handle).await.expect("drop");
        assert!(HostCall::answer(state, again()).await.is_err());
    }
}
