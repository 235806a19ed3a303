//! This host's driver for the conformance kit (`conformance/`; feature `conformance`, which only
//! tests turn on): a component of the contract's `conformance-probe` world, run on the imports
//! this host performs, the same way a provider's export is (its SDK requests polled beside the
//! fiber, its locks released when the call returns or traps).

use crate::aws::LightsailApi;
use crate::bindings::Provider as ProviderWorld;
use crate::interrupt::Interrupt;
use crate::lock::Locks;
use crate::state::HostState;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{Component, HasSelf, InstancePre, Linker};

/// A loaded probe and the host's capabilities it runs on.
pub struct Probe {
    engine: wasmtime::Engine,
    pre: InstancePre<HostState>,
    api: Option<Arc<LightsailApi>>,
    locks: Arc<Locks>,
    interrupt: Interrupt,
}

impl Probe {
    /// Links `component` (the probe's bytes) to this host's imports.
    pub fn new(
        component: &[u8],
        api: Option<Arc<LightsailApi>>,
        locks: Arc<Locks>,
        interrupt: Interrupt,
    ) -> anyhow::Result<Self> {
        let engine = crate::engine::plain_engine()?;
        let component = Component::new(&engine, component)?;
        let mut linker = Linker::<HostState>::new(&engine);
        ProviderWorld::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        let pre = linker.instantiate_pre(&component)?;
        Ok(Self { engine, pre, api, locks, interrupt })
    }

    /// One `probe.call` on a fresh instance: the probe's answer, or the trap that ended the call.
    pub async fn call(&self, request: &str) -> anyhow::Result<String> {
        let limits = crate::limits::Limits::new(64 << 20);
        let state = HostState::new(
            self.api.clone(),
            Some(self.locks.clone()),
            self.interrupt.clone(),
            Duration::from_secs(30),
            limits,
            None,
        );
        let mut store = wasmtime::Store::new(&self.engine, state);
        store.set_epoch_deadline(u64::MAX);
        let instance = self.pre.instantiate_async(&mut store).await?;
        let interface = format!("lightsail:provider/probe@{}", crate::CONTRACT_VERSION);
        let interface = instance
            .get_export_index(&mut store, None, &interface)
            .ok_or_else(|| anyhow::anyhow!("the component exports no {interface}"))?;
        let call = instance
            .get_export_index(&mut store, Some(&interface), "call")
            .ok_or_else(|| anyhow::anyhow!("the probe exports no call"))?;
        let call = instance.get_typed_func::<(String,), (String,)>(&mut store, call)?;
        let request = request.to_string();
        let pending = store.data().pending_request();
        let answer = pending.drive(call.call_async(&mut store, (request,))).await;
        store.data_mut().release_locks();
        Ok(answer?.0)
    }
}
