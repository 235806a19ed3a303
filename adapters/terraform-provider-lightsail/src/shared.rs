//! What the provider and its resources share: the component, and the provider once Terraform has
//! configured it.

use crate::ephemeral::Journal;
use lightsail_provider_host::aws::LightsailApi;
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{ComponentRuntime, Provider};
use std::sync::{Arc, RwLock};

pub struct Shared {
    runtime: Arc<ComponentRuntime>,
    configured: RwLock<Option<Configured>>,
    /// One for every validation, so that its instances serve the next ones.
    offline: Provider,
}

/// The provider as Terraform configured it.
#[derive(Clone)]
pub struct Configured {
    pub provider: Provider,
    /// Where ephemeral resources are recorded while open (beside the locks), if there is a place.
    pub journal: Option<Journal>,
    /// The Lightsail endpoint calls go to, else [`crate::ephemeral::AWS`].
    pub endpoint: String,
}

impl Shared {
    pub fn new(runtime: Arc<ComponentRuntime>) -> Self {
        let offline = Provider::new(runtime.clone(), None);
        Self { runtime, configured: RwLock::new(None), offline }
    }

    /// From now on, calls reach AWS through `api`, and creates take `locks`.
    pub fn configure(&self, api: Arc<LightsailApi>, locks: Arc<Locks>, endpoint: String) -> Configured {
        let journal = locks.directory().and_then(|dir| match Journal::in_lock_directory(dir) {
            Ok(journal) => Some(journal),
            Err(e) => {
                tracing::warn!("ephemeral resources are not recorded while open: {e}");
                None
            }
        });
        let provider = Provider::new(self.runtime.clone(), Some(api)).with_locks(locks);
        let configured = Configured { provider, journal, endpoint };
        *self.configured.write().unwrap_or_else(|e| e.into_inner()) = Some(configured.clone());
        configured
    }

    /// The provider, once configured.
    pub fn configured(&self) -> Option<Configured> {
        self.configured.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// For calls that need no AWS access (validation).
    pub fn offline(&self) -> &Provider {
        &self.offline
    }
}
