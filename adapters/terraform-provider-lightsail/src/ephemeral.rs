//! A resource type offered as an ephemeral resource (Terraform 1.10 and later): opened for a run
//! (its plan, and again its apply), used there (say, to configure another provider), closed at the
//! run's end; Terraform writes none of it to state or plan.
//!
//! Open creates the resource through the component, with every rule a create keeps (the bucket's
//! lock, a lost answer's orphan settled); close deletes it. So that a run that dies between the two
//! (terraform or this plugin killed) leaves nothing forever, every open resource is recorded in a
//! journal beside the locks until it is closed: the first run that configures the provider on this
//! machine afterwards deletes what a dead process left, and warns of what it cannot.

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::resource::ComponentResource;
use crate::values;
use lightsail_provider_host::{CallError, Provider, ProviderError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What an open resource's journal entry, and Terraform's private bytes for it, hold: enough to
/// delete it, and never a secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Opened {
    pub token: String,
    pub id: String,
    /// The component's outputs, its secrets removed.
    pub state: serde_json::Value,
    /// Where the provider was sent (the Lightsail endpoint set, else AWS): only a provider
    /// configured the same way deletes it.
    pub endpoint: String,
    pub owner: Owner,
}

/// The process that opened a resource, told apart from a later one that reuses its pid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub host: String,
    pub boot: String,
    pub pid: u32,
    /// When the process started, in clock ticks since boot (`/proc/PID/stat`).
    pub started: u64,
}

impl Owner {
    /// This process, read from `/proc` once.
    pub fn this_process() -> &'static Owner {
        static ME: std::sync::OnceLock<Owner> = std::sync::OnceLock::new();
        ME.get_or_init(|| {
            let pid = std::process::id();
            Owner { host: hostname(), boot: boot_id(), pid, started: started(pid).unwrap_or(0) }
        })
    }

    /// Whether the owner is surely gone; a process on another machine, or on a system without
    /// Linux's `/proc`, cannot be told.
    fn is_gone(&self) -> Option<bool> {
        let me = Owner::this_process();
        if self.host.is_empty() || self.boot.is_empty() || self.started == 0 || self.host != me.host {
            return None;
        }
        Some(self.boot != me.boot || started(self.pid) != Some(self.started))
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").map(|b| b.trim().to_string()).unwrap_or_default()
}

/// A process's start time: field 22 of `/proc/PID/stat`, counted after the command's closing
/// parenthesis (the command may hold spaces).
fn started(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

/// The open resources, one file each, in the `ephemeral` directory beside the locks.
#[derive(Debug, Clone)]
pub struct Journal {
    directory: PathBuf,
}

impl Journal {
    pub fn in_lock_directory(locks: &Path) -> std::io::Result<Journal> {
        let directory = locks.join("ephemeral");
        std::fs::create_dir_all(&directory)?;
        Ok(Journal { directory })
    }

    fn path(&self, opened: &Opened) -> PathBuf {
        let name: String =
            opened.id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        self.directory.join(format!("{name}.json"))
    }

    fn record(&self, opened: &Opened) -> std::io::Result<()> {
        let path = self.path(opened);
        let partial = path.with_extension("partial");
        std::fs::write(&partial, serde_json::to_vec(opened).unwrap_or_default())?;
        std::fs::rename(&partial, &path)
    }

    fn forget(&self, opened: &Opened) {
        let _ = std::fs::remove_file(self.path(opened));
    }

    fn entries(&self) -> Vec<Opened> {
        let Ok(dir) = std::fs::read_dir(&self.directory) else { return Vec::new() };
        dir.filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "json").then_some(())?;
            serde_json::from_slice(&std::fs::read(path).ok()?).ok()
        })
        .collect()
    }

    /// Deletes what dead processes left open at `endpoint`; warns of what it cannot delete, and of
    /// what another machine's process holds open.
    pub async fn sweep(&self, diags: &mut Diagnostics, provider: &Provider, endpoint: &str) {
        for opened in self.entries().into_iter().filter(|o| o.endpoint == endpoint) {
            match opened.owner.is_gone() {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    diags.warning(
                        format!("An ephemeral {} may be left open", opened.token),
                        format!(
                            "{} was opened by process {} on {:?}, which this machine cannot look at. If that run is gone, delete it: {}",
                            opened.id,
                            opened.owner.pid,
                            opened.owner.host,
                            delete_command(&opened)
                        ),
                    );
                    continue;
                }
            }
            match self.delete(provider, &opened).await {
                Ok(()) => tracing::info!(id = %opened.id, "deleted an ephemeral resource a killed run left open"),
                Err(e) => diags.warning(
                    format!("An ephemeral {} a killed run left open could not be deleted", opened.token),
                    format!("{}: {e}. The next run tries again; or delete it: {}", opened.id, delete_command(&opened)),
                ),
            }
        }
    }

    /// Deletes what this process holds open: it is stopping (Terraform gone, or a signal) before
    /// Terraform closed them.
    pub async fn close_mine(&self, provider: &Provider) {
        for opened in self.entries().into_iter().filter(|o| &o.owner == Owner::this_process()) {
            match self.delete(provider, &opened).await {
                Ok(()) => tracing::info!(id = %opened.id, "deleted an ephemeral resource left open at shutdown"),
                Err(e) => tracing::warn!(id = %opened.id, "an ephemeral resource left open could not be deleted: {e}"),
            }
        }
    }

    /// Deletes an open resource through the component; once it is gone, its entry goes too.
    async fn delete(&self, provider: &Provider, opened: &Opened) -> Result<(), CallError> {
        provider.delete(&opened.token, &opened.id, &opened.state.to_string()).await?;
        self.forget(opened);
        Ok(())
    }
}

/// The command that deletes an open resource by hand: this project's CLI, with the same
/// credentials and endpoint settings as the provider block.
fn delete_command(opened: &Opened) -> String {
    let endpoint = if opened.endpoint == AWS { String::new() } else { format!(" --endpoint-url {}", opened.endpoint) };
    format!("lightsail-provider delete --type {} '{}'{endpoint}", opened.token, opened.id)
}

/// The journal's name for AWS itself (no endpoint set).
pub const AWS: &str = "aws";

/// One resource type's ephemeral form.
pub struct EphemeralResource {
    resource: Arc<ComponentResource>,
}

impl EphemeralResource {
    pub fn new(resource: Arc<ComponentResource>) -> Self {
        Self { resource }
    }

    /// `OpenEphemeralResource`: the resource created, and the private bytes that close it.
    pub async fn open(&self, diags: &mut Diagnostics, config: &Value) -> Option<(Value, Vec<u8>)> {
        let spec = self.resource.spec();
        if config.has_unknown() {
            // Not yet known (at plan): nothing is made, and the result is unknown but for what the
            // configuration sets. Terraform opens it again once the configuration is known.
            let result = values::object(spec, "{}", Value::Unknown, Value::Unknown);
            return Some((values::with_config(spec, result, config), Vec::new()));
        }
        let configured = self.resource.configured(diags)?;
        let inputs = values::inputs(spec, config);
        let (id, outputs) = match configured.provider.create(&spec.token, &inputs, false).await {
            Ok(created) => (created.id, created.outputs),
            Err(CallError::Provider(ProviderError::NotReady(not_ready))) => {
                // It exists, but nothing would record it: delete it now.
                let opened = self.opened(&configured, not_ready.id.clone(), &not_ready.outputs);
                self.record(diags, &configured, &opened);
                let reason = lightsail_provider_host::describe_error(&ProviderError::NotReady(not_ready));
                diags.root_error(format!("{} could not be opened", spec.type_name), spec.in_terraform_terms(&reason));
                self.delete(diags, &configured, &opened).await;
                return None;
            }
            Err(e) => {
                self.resource.report(diags, e);
                diags.root_error(
                    format!("Opening ephemeral.{} failed", spec.type_name),
                    "An ephemeral resource is opened during terraform plan and again during terraform apply (and \
                     closed at the end of each), beside the resources of the configuration.",
                );
                return None;
            }
        };
        let opened = self.opened(&configured, id.clone(), &outputs);
        self.record(diags, &configured, &opened);
        let private = serde_json::to_vec(&opened).unwrap_or_default();
        Some((self.resource.recorded(&outputs.values, id), private))
    }

    /// `CloseEphemeralResource`: the resource deleted.
    pub async fn close(&self, diags: &mut Diagnostics, private: &[u8]) {
        if private.is_empty() {
            return; // opened with unknown configuration: nothing was made
        }
        let Ok(opened) = serde_json::from_slice::<Opened>(private) else {
            return diags.root_error("Terraform sent private data this provider did not write", "");
        };
        let Some(configured) = self.resource.configured(diags) else { return };
        self.delete(diags, &configured, &opened).await;
    }

    fn opened(
        &self,
        configured: &crate::shared::Configured,
        id: String,
        outputs: &lightsail_provider_host::Outputs,
    ) -> Opened {
        let mut state: serde_json::Value = serde_json::from_str(&outputs.values).unwrap_or_default();
        if let Some(state) = state.as_object_mut() {
            for secret in &outputs.secrets {
                state.remove(secret);
            }
        }
        Opened {
            token: self.resource.spec().token.clone(),
            id,
            state,
            endpoint: configured.endpoint.clone(),
            owner: Owner::this_process().clone(),
        }
    }

    fn record(&self, diags: &mut Diagnostics, configured: &crate::shared::Configured, opened: &Opened) {
        let Some(journal) = &configured.journal else { return };
        if let Err(e) = journal.record(opened) {
            diags.warning(
                format!("{} is not recorded as open", opened.id),
                format!("The journal that finds keys a killed run left open cannot be written: {e}."),
            );
        }
    }

    async fn delete(&self, diags: &mut Diagnostics, configured: &crate::shared::Configured, opened: &Opened) {
        let deleted = match &configured.journal {
            Some(journal) => journal.delete(&configured.provider, opened).await,
            None => configured.provider.delete(&opened.token, &opened.id, &opened.state.to_string()).await,
        };
        if let Err(e) = deleted {
            diags.root_error(
                format!("Closing ephemeral.{} failed", self.resource.spec().type_name),
                format!(
                    "{} could not be deleted: {}. It stays recorded, and a later run deletes it; or delete it: {}",
                    opened.id,
                    self.resource.spec().in_terraform_terms(&e.to_string()),
                    delete_command(opened)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lightsail_provider_host::{ComponentRuntime, PROVIDER_COMPONENT, RuntimeOptions};

    /// At plan, a key whose bucket is not yet known: nothing is made (the provider is not even
    /// configured here, so any call would fail), the result is unknown but for the configuration.
    #[tokio::test]
    async fn unknown_configuration_opens_to_an_unknown_result_without_a_call() {
        let runtime = Arc::new(ComponentRuntime::new(PROVIDER_COMPONENT, RuntimeOptions::default()).unwrap());
        let document = Provider::new(runtime.clone(), None).schema().await.unwrap();
        let spec = crate::schema::from_pulumi(&document).unwrap().into_iter().find(|s| s.ephemeral).unwrap();
        let shared = Arc::new(crate::shared::Shared::new(runtime));
        let ephemeral = EphemeralResource::new(Arc::new(ComponentResource::new(Arc::new(spec), shared)));
        let config = Value::Map([("bucket_name".to_string(), Value::Unknown)].into_iter().collect());
        let mut diags = Diagnostics::default();
        let (result, private) = ephemeral.open(&mut diags, &config).await.unwrap();
        assert!(diags.into_vec().is_empty());
        assert!(private.is_empty(), "nothing to close");
        assert_eq!(result.attribute("access_key_id"), &Value::Unknown);
        assert_eq!(result.attribute("secret_access_key"), &Value::Unknown);
        assert_eq!(result.attribute("bucket_name"), &Value::Unknown);
    }

    /// This process is alive; a pid that is not running, or another boot, is gone; another
    /// machine's process cannot be told.
    #[test]
    fn owners_are_told_apart_by_start_time_and_boot() {
        let me = Owner::this_process().clone();
        assert!(me.started > 0);
        assert_eq!(me.is_gone(), Some(false));
        assert_eq!(Owner { started: me.started + 1, ..me.clone() }.is_gone(), Some(true));
        assert_eq!(Owner { boot: "another boot".into(), ..me.clone() }.is_gone(), Some(true));
        assert_eq!(Owner { host: "elsewhere".into(), ..me.clone() }.is_gone(), None);
        assert_eq!(Owner { started: 0, ..me }.is_gone(), None, "no /proc: not known");
    }
}
