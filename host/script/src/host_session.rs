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
