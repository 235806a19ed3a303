//! What the provider and its resources share: the component, and the provider once Terraform has
//! configured it.

use lightsail_provider_host::aws::LightsailApi;
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{ComponentRuntime, Provider};
use std::sync::{Arc, RwLock};

pub struct Shared {
    runtime: Arc<ComponentRuntime>,
    configured: RwLock<Option<Provider>>,
    /// One for every validation, so that its instances serve the next ones.
    offline: Provider,
}

impl Shared {
    pub fn new(runtime: Arc<ComponentRuntime>) -> Self {
        let offline = Provider::new(runtime.clone(), None);
        Self { runtime, configured: RwLock::new(None), offline }
    }

    /// From now on, calls reach AWS through `api`, and creates take `locks`.
    pub fn configure(&self, api: Arc<LightsailApi>, locks: Arc<Locks>) {
        let provider = Provider::new(self.runtime.clone(), Some(api)).with_locks(locks);
        *self.configured.write().unwrap_or_else(|e| e.into_inner()) = Some(provider);
    }

    /// The provider, once configured.
    pub fn configured(&self) -> Option<Provider> {
        self.configured.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// For calls that need no AWS access (validation).
    pub fn offline(&self) -> &Provider {
        &self.offline
    }
}
