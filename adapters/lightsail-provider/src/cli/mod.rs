//! The command line: arguments (clap), set-up of the runtime and AWS access, and dispatch.

mod create;
mod demo;
mod output;
mod progress;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lightsail_provider_host::ProviderError;
use lightsail_provider_host::aws::errors::NO_CREDENTIALS_CODE;
use lightsail_provider_host::aws::settings;
use lightsail_provider_host::aws::{AwsOptions, LightsailApi};
use lightsail_provider_host::lock::LockOptions;
use lightsail_provider_host::lock::Locks;
use lightsail_provider_host::{CallError, ComponentRuntime, Provider, RuntimeOptions, cache};
use output::{Printer, say};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// The type `--type` defaults to, and the demo's: the component's access key.
pub const BUCKET_ACCESS_KEY: &str = "aws:lightsail/bucketAccessKey:BucketAccessKey";

/// Exit codes, so scripts can tell failures apart.
pub mod exit {
    pub const OK: u8 = 0;
    /// The component failed (a trap or a limit), or the host could not start.
    pub const FAILURE: u8 = 1;
    /// The command line or the inputs are wrong: nothing was sent to AWS.
    pub const USER_ERROR: u8 = 2;
    /// The resource does not exist (read finds it gone, import finds nothing).
    pub const NOT_FOUND: u8 = 3;
    /// AWS refused the call, or could not be reached.
    pub const AWS_ERROR: u8 = 4;
    /// The resource was created but did not become ready, or the create was interrupted after
    /// it made the resource; its id and outputs are printed.
    pub const NOT_READY: u8 = 5;
    /// Interrupted by a signal before anything was made: 128 + the signal's number (130 for
    /// Ctrl-C), as shells report it.
    pub const SIGNALLED: u8 = 128;
}

#[derive(Parser)]
#[command(
    name = "lightsail-provider",
    version,
    about = "Run the aws_lightsail_bucket_access_key provider component (WebAssembly) against AWS or a local endpoint",
    long_about = "Runs the provider component for Lightsail bucket access keys \
        (Terraform: aws_lightsail_bucket_access_key, Pulumi: aws:lightsail/bucketAccessKey:BucketAccessKey) \
        in wasmtime. The component holds all resource logic; this host makes the Lightsail calls with \
        aws-sdk-lightsail and your AWS credentials, which the component never sees.\n\n\
        Try `lightsail-provider demo` for the whole lifecycle on the built-in local endpoint.",
    after_help = "Exit codes: 0 ok, 1 component or host failure, 2 invalid input, usage or missing credentials, \
        3 not found, 4 AWS or network error, 5 created but not ready (or interrupted after creating: the id is printed), \
        128+N stopped by signal N before anything was made.\n\
        Ids are written as Terraform writes them (example-bucket,AKIAIOSFODNN7EXAMPLE), with @REGION \
        when the resource is not in the default region (example-bucket,AKIAIOSFODNN7EXAMPLE@eu-west-1).\n\
        JSON arguments (--inputs, --olds, --state) also take @FILE, or - for standard input."
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub(crate) struct Global {
    // The provider's settings, as the host's table describes them (`settings` below); the host's
    // rules check them, each failure named by its flag.
    #[arg(long, global = true, env = "AWS_REGION", help = described("region"))]
    region: Option<String>,
    #[arg(long, global = true, help = described("profile"))]
    profile: Option<String>,
    #[arg(long, global = true, conflicts_with = "local", value_name = "URL", help = described("endpoints"))]
    endpoint_url: Option<String>,
    #[arg(long, global = true, value_name = "N", help = described("maxRetries"))]
    max_retries: Option<String>,
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, help = described("attemptTimeout"))]
    attempt_timeout: Option<String>,
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, help = described("operationTimeout"))]
    operation_timeout: Option<String>,
    #[arg(long = "default-tag", global = true, value_name = "KEY=VALUE", help = described("defaultTags"))]
    default_tags: Vec<String>,
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "local", help = described("lockDirectory"))]
    lock_directory: Option<String>,
    #[arg(long, global = true, conflicts_with = "local", help = described("keyCreatorsShareLock"))]
    key_creators_share_lock: bool,

    // The CLI's own options.
    /// Use the built-in local endpoint (started in-process, with the bucket example-bucket)
    #[arg(long, global = true)]
    local: bool,
    /// With --local: keep the local endpoint's state in this file [default: $XDG_STATE_HOME/lightsail-provider/local-endpoint.sqlite3]
    #[arg(long, global = true, value_name = "PATH")]
    local_state: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Show secret values (the secret access key) instead of hiding them
    #[arg(long, global = true)]
    show_secrets: bool,
    /// Load this provider component instead of the built-in one
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<PathBuf>,
    /// Where compiled components are cached [default: $XDG_CACHE_HOME/lightsail-provider]
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "no_cache")]
    cache_dir: Option<PathBuf>,
    /// Compile the component every time
    #[arg(long, global = true)]
    no_cache: bool,
}

/// A setting's help, from the host's table.
fn described(name: &str) -> &'static str {
    settings::setting(name).expect("a setting of the host").description
}

impl Global {
    /// The provider's settings as given, by the host's names.
    fn given(&self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let mut given = serde_json::Map::new();
        let mut text = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                given.insert(name.into(), value.as_str().into());
            }
        };
        text("region", &self.region);
        text("profile", &self.profile);
        text("maxRetries", &self.max_retries);
        text("attemptTimeout", &self.attempt_timeout);
        text("operationTimeout", &self.operation_timeout);
        text("lockDirectory", &self.lock_directory);
        if let Some(url) = &self.endpoint_url {
            // One URL here, where the setting is a list of endpoint objects: said in this flag's terms.
            if !settings::is_url(url) {
                return Err(format!("--endpoint-url: must be an http:// or https:// URL with a host, not {url:?}"));
            }
            given.insert("endpoints".into(), serde_json::json!([{ "lightsail": url }]));
        }
        if !self.default_tags.is_empty() {
            let mut tags = serde_json::Map::new();
            for tag in &self.default_tags {
                let (key, value) =
                    tag.split_once('=').ok_or_else(|| format!("--default-tag: must be KEY=VALUE, not {tag:?}"))?;
                tags.insert(key.into(), value.into());
            }
            given.insert("defaultTags".into(), serde_json::json!({ "tags": tags }));
        }
        if self.key_creators_share_lock {
            given.insert("keyCreatorsShareLock".into(), true.into());
        }
        Ok(given)
    }

    /// The settings, checked by the host's rules; a failure names its flag.
    fn settings(&self) -> Result<settings::Settings, String> {
        settings::options(&self.given()?).map_err(|failures| {
            let named = failures.iter().map(|failure| match settings::setting(&failure.property).map(|s| s.cli) {
                Some(settings::CliSpelling::Flag(flag)) => format!("--{flag}: {}", failure.reason),
                Some(settings::CliSpelling::AwsEnvironment(variable)) => format!("{variable}: {}", failure.reason),
                None => format!("{}: {}", failure.property, failure.reason),
            });
            named.collect::<Vec<_>>().join("; ")
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Print the provider's Pulumi package schema (JSON)
    Schema,
    /// List the resource types the component implements
    Types,
    /// Validate inputs, as an engine does before planning (no AWS call)
    Check {
        #[command(flatten)]
        inputs: InputArgs,
        /// Prior inputs, as a JSON object (or @FILE, or -)
        #[arg(long, value_name = "JSON")]
        olds: Option<String>,
    },
    /// Compare a resource's state with new inputs: what changes, what forces replacement
    Diff {
        /// The resource id (example-bucket,AKIA...)
        id: String,
        /// The resource's current state (its outputs), as a JSON object (or @FILE, or -)
        #[arg(long, value_name = "JSON")]
        olds: String,
        #[command(flatten)]
        inputs: InputArgs,
    },
    /// Create a resource (an access key, by default). Ctrl-C stops it safely: what it made is
    /// printed (exit 5), or deleted if it cannot be printed
    Create {
        #[command(flatten)]
        inputs: InputArgs,
        /// Only show what would be created; make no AWS call
        #[arg(long)]
        preview: bool,
    },
    /// Create an access key where its bucket may be full: at Lightsail's two keys, the oldest key
    /// (or the one --replace names) is deleted first, under the bucket's lock. Ctrl-C stops it as
    /// it stops create
    Rotate {
        #[command(flatten)]
        inputs: InputArgs,
        /// The key to delete when the bucket is full (BUCKET,ACCESS_KEY_ID, or ACCESS_KEY_ID)
        #[arg(long, value_name = "ID")]
        replace: Option<String>,
        /// Only show which key would be deleted, and what would be created; change nothing
        #[arg(long)]
        preview: bool,
    },
    /// List what exists: a bucket's access keys with their last use, every bucket's keys in the
    /// region, or (--type aws:lightsail/bucket:Bucket) the region's buckets. No secret is shown
    List {
        #[command(flatten)]
        of: TypeArg,
        /// The bucket whose keys to list (shorthand for --query '{"bucketName": NAME}')
        #[arg(long, value_name = "NAME", conflicts_with = "query")]
        bucket_name: Option<String>,
        /// What to list, as a JSON object (the schema's TOKENListQuery type); @FILE, or -
        #[arg(long, value_name = "JSON")]
        query: Option<String>,
        /// Only keys never used, or not used in the last DAYS days
        #[arg(long, value_name = "DAYS")]
        unused_for: Option<u32>,
        /// At most this many
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
    /// Read a resource by id; exit code 3 when it is gone
    Read {
        id: String,
        /// The last known state (outputs) as a JSON object (or @FILE, or -); its secret is kept
        #[arg(long, value_name = "JSON")]
        state: Option<String>,
        #[command(flatten)]
        of: TypeArg,
    },
    /// Adopt an existing resource by id (an access key: BUCKET,ACCESS_KEY_ID or
    /// BUCKET,ACCESS_KEY_ID@REGION; a bucket: NAME or NAME@REGION)
    Import {
        id: String,
        #[command(flatten)]
        of: TypeArg,
    },
    /// Delete a resource by id (one already gone counts as deleted)
    Delete {
        id: String,
        /// The last known state (outputs) as a JSON object (or @FILE, or -)
        #[arg(long, value_name = "JSON", default_value = "{}")]
        state: String,
        #[command(flatten)]
        of: TypeArg,
    },
    /// Run the whole lifecycle on the built-in local endpoint, step by step
    Demo,
    /// Write the built-in provider component (.wasm) to a file, to embed it in another host
    Component {
        /// Where to write it
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
}

/// The type of the resource a command acts on.
#[derive(Args)]
struct TypeArg {
    /// The resource type (`lightsail-provider types` lists them)
    #[arg(long = "type", value_name = "TOKEN", default_value = BUCKET_ACCESS_KEY)]
    token: String,
}

#[derive(Args)]
struct InputArgs {
    /// The resource type
    #[arg(long = "type", value_name = "TOKEN", default_value = BUCKET_ACCESS_KEY)]
    token: String,
    /// The bucket to create the key for (shorthand for --inputs '{"bucketName": NAME}')
    #[arg(long, value_name = "NAME", conflicts_with = "inputs", required_unless_present = "inputs")]
    bucket_name: Option<String>,
    /// The inputs as a JSON object (bucketName, region); @FILE reads them from a file, - from stdin
    #[arg(long, value_name = "JSON")]
    inputs: Option<String>,
}

impl InputArgs {
    fn json(&self, stdin: &mut StdinOnce) -> Result<String, String> {
        match (&self.inputs, &self.bucket_name) {
            (Some(json), _) => stdin.json_arg("--inputs", json),
            (None, Some(name)) => Ok(serde_json::json!({ "bucketName": name }).to_string()),
            (None, None) => Ok("{}".into()),
        }
    }
}

/// JSON arguments (`--inputs`, `--olds`, `--state`) as given, from a file (`@FILE`), or from
/// standard input (`-`, once per command).
#[derive(Default)]
struct StdinOnce {
    taken_by: Option<&'static str>,
}

impl StdinOnce {
    fn json_arg(&mut self, flag: &'static str, value: &str) -> Result<String, String> {
        if value == "-" {
            if let Some(first) = self.taken_by.replace(flag) {
                return Err(format!("{flag} -: standard input is already read for {first}"));
            }
            return std::io::read_to_string(std::io::stdin())
                .map_err(|e| format!("{flag} -: cannot read standard input: {e}"));
        }
        match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{flag} @{path}: cannot read it: {e}")),
            None => Ok(value.to_string()),
        }
    }

    fn optional(&mut self, flag: &'static str, value: Option<&str>) -> Result<Option<String>, String> {
        value.map(|v| self.json_arg(flag, v)).transpose()
    }
}

/// The command line, `--version` naming the component this binary carries by its digest.
fn parse_with_version() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let digest = lightsail_provider_host::provider_component_digest();
    let version = format!("{} (component {digest})", env!("CARGO_PKG_VERSION"));
    // Made once per process; clap keeps its version as a `&'static str` (without its `string` feature).
    let matches = Cli::command().version(&*Box::leak(version.into_boxed_str())).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

pub fn main() -> ExitCode {
    // aws-config warns of each source of settings it could not reach (the instance metadata
    // service, off EC2), with `Debug` dumps: what matters reaches the user as the command's error.
    lightsail_provider_host::logging::init_stderr("warn,aws_config=error");
    let cli = parse_with_version();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    ExitCode::from(runtime.block_on(run(cli)))
}

async fn run(cli: Cli) -> u8 {
    let printer = Printer::new(cli.global.output, cli.global.show_secrets);
    let settings = match cli.global.settings() {
        Ok(settings) => settings,
        Err(e) => return fail(&printer, exit::USER_ERROR, &e),
    };
    if let Command::List { of, unused_for: Some(_), .. } = &cli.command
        && of.token != BUCKET_ACCESS_KEY
    {
        let why = format!("--unused-for: only access keys have a last use, not {}", of.token);
        return fail(&printer, exit::USER_ERROR, &why);
    }
    if let Command::Component { out } = &cli.command {
        return match std::fs::write(out, lightsail_provider_host::PROVIDER_COMPONENT) {
            Ok(()) => {
                let (bytes, digest) = (
                    lightsail_provider_host::PROVIDER_COMPONENT.len(),
                    lightsail_provider_host::provider_component_digest(),
                );
                say!(printer, "wrote {} ({bytes} bytes, {digest})", out.display());
                exit::OK
            }
            Err(e) => fail(&printer, exit::USER_ERROR, &format!("cannot write {}: {e}", out.display())),
        };
    }
    let runtime = match load_runtime(&cli.global) {
        Ok(runtime) => Arc::new(runtime),
        Err(e) => {
            // A component the user named is their input; the built-in one failing is ours.
            let code = if cli.global.component.is_some() { exit::USER_ERROR } else { exit::FAILURE };
            return fail(&printer, code, &format!("cannot load the provider component: {e:#}"));
        }
    };
    if let Command::Demo = cli.command {
        return demo::run(runtime, &settings.aws, &printer).await;
    }
    // Commands that need no AWS access run without it; a diff or a preview makes no call, but
    // learns the default region.
    let offline = matches!(cli.command, Command::Schema | Command::Types | Command::Check { .. });
    let mut _local = None;
    let api = if offline {
        None
    } else {
        match connect(&cli.global, &settings.aws).await {
            Ok((api, local)) => {
                _local = local;
                Some(api)
            }
            Err(e) => return fail(&printer, exit::USER_ERROR, &format!("{e:#}")),
        }
    };
    printer.set_default_region(api.as_deref().map(LightsailApi::default_region).filter(|r| !r.is_empty()));
    // Only calls that reach AWS take locks: the offline commands touch no lock directory.
    let locks = if offline { None } else { Some(locks(&cli.global, &settings.locks)) };
    let provider = match locks {
        None => Provider::new(runtime, api),
        Some(Ok(locks)) => Provider::new(runtime, api).with_locks(locks),
        Some(Err(e)) => return fail(&printer, exit::USER_ERROR, &format!("--lock-directory: {e}")),
    };
    let mut stdin = StdinOnce::default();
    let result = match cli.command {
        Command::Schema => provider.schema().await.map(|schema| {
            // As engines are given it: with the provider's settings.
            printer.schema(&lightsail_provider_host::schema::with_settings(&schema).unwrap_or(schema))
        }),
        Command::Types => provider.resource_types().await.map(|types| printer.types(&types)),
        Command::Check { inputs, olds } => {
            let (news, olds) = match (inputs.json(&mut stdin), stdin.optional("--olds", olds.as_deref())) {
                (Ok(news), Ok(olds)) => (news, olds),
                (Err(e), _) | (_, Err(e)) => return fail(&printer, exit::USER_ERROR, &e),
            };
            provider.check(&inputs.token, olds.as_deref(), &news).await.map(|c| printer.check(&c))
        }
        Command::Diff { id, olds, inputs } => {
            let (olds, news) = match (stdin.json_arg("--olds", &olds), inputs.json(&mut stdin)) {
                (Ok(olds), Ok(news)) => (olds, news),
                (Err(e), _) | (_, Err(e)) => return fail(&printer, exit::USER_ERROR, &e),
            };
            provider.diff(&inputs.token, &id, &olds, &news).await.map(|d| printer.diff(&d))
        }
        Command::Create { inputs, preview } => {
            let news = match inputs.json(&mut stdin) {
                Ok(news) => news,
                Err(e) => return fail(&printer, exit::USER_ERROR, &e),
            };
            if !preview {
                return create::run(&provider, &printer, &inputs.token, &news, create::Making::Create).await;
            }
            provider.create(&inputs.token, &news, true).await.map(|c| printer.created(&c, true))
        }
        Command::Rotate { inputs, replace, preview } => {
            let news = match inputs.json(&mut stdin) {
                Ok(news) => news,
                Err(e) => return fail(&printer, exit::USER_ERROR, &e),
            };
            if !preview {
                let making = create::Making::Rotate { replace: replace.as_deref() };
                return create::run(&provider, &printer, &inputs.token, &news, making).await;
            }
            provider.rotate(&inputs.token, &news, replace.as_deref(), true).await.map(|r| printer.rotated(&r, true))
        }
        Command::List { of, bucket_name, query, unused_for, limit } => {
            if unused_for.is_some() && of.token != BUCKET_ACCESS_KEY {
                return fail(
                    &printer,
                    exit::USER_ERROR,
                    &format!("--unused-for: only access keys have a last use, not {}", of.token),
                );
            }
            let query = match (&bucket_name, stdin.optional("--query", query.as_deref())) {
                (Some(name), _) => serde_json::json!({ "bucketName": name }).to_string(),
                (None, Ok(query)) => query.unwrap_or_else(|| "{}".into()),
                (None, Err(e)) => return fail(&printer, exit::USER_ERROR, &e),
            };
            list_all(&provider, &of.token, &query, limit.unwrap_or(0))
                .await
                .map(|items| printer.listed(&items, unused_for))
        }
        Command::Read { id, state, of } => {
            let state = match stdin.optional("--state", state.as_deref()) {
                Ok(state) => state,
                Err(e) => return fail(&printer, exit::USER_ERROR, &e),
            };
            let read = provider.read(&of.token, &id, state.as_deref()).await;
            read.map(|r| printer.read(&id, state.as_deref(), r.as_ref()))
        }
        Command::Import { id, of } => provider.import(&of.token, &id).await.map(|r| printer.imported(&r)),
        Command::Delete { id, state, of } => {
            let state = match stdin.json_arg("--state", &state) {
                Ok(state) => state,
                Err(e) => return fail(&printer, exit::USER_ERROR, &e),
            };
            let progress = progress::Line::start(&format!("deleting {id}"));
            let deleted = delete(&provider, &of.token, &id, &state).await;
            progress.finish();
            deleted
                .map(|existed| printer.deleted(&id, &state, existed))
                .map_err(|e| settable_in_state(e, &id, &of.token))
        }
        Command::Demo | Command::Component { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&printer, &e),
    }
}

/// Every page of a listing.
async fn list_all(
    provider: &Provider,
    token: &str,
    query: &str,
    limit: u32,
) -> Result<Vec<lightsail_provider_host::ReadResult>, CallError> {
    let (mut items, mut continuation) = (Vec::new(), None);
    loop {
        let page = provider.list(token, query, limit, 0, continuation.as_deref()).await?;
        items.extend(page.items);
        match page.continuation {
            Some(next) => continuation = Some(next),
            None => return Ok(items),
        }
    }
}

/// A delete's refusal with a hint, said as this CLI takes it: delete reads the resource's
/// properties from `--state`.
fn settable_in_state(error: CallError, id: &str, token: &str) -> CallError {
    let CallError::Provider(ProviderError::Api(mut failure)) = error else { return error };
    if let Some(hint) = failure.hint.take() {
        failure.message = format!(
            "{}; to allow it, run `lightsail-provider delete {id} --type {token} --state '{{\"{}\": {}}}'`",
            failure.message.trim_end_matches('.'),
            hint.property,
            hint.value
        );
    }
    CallError::Provider(ProviderError::Api(failure))
}

/// Deletes a resource, and says whether it existed: "deleted" is never said of a resource that
/// was not found (in a region the answer names), which may well exist elsewhere.
async fn delete(provider: &Provider, token: &str, id: &str, state: &str) -> Result<bool, CallError> {
    if provider.read(token, id, Some(state)).await?.is_none() {
        return Ok(false);
    }
    provider.delete(token, id, state).await.map(|()| true)
}

/// Prints a failure outside a provider call (as JSON under `--output json`) and returns `code`.
fn fail(printer: &Printer, code: u8, message: &str) -> u8 {
    match printer.format() {
        Format::Json => printer.failure_json(if code == exit::USER_ERROR { "usage" } else { "failure" }, message),
        Format::Text => eprintln!("error: {message}"),
    }
    code
}

/// Prints an error and returns its exit code. A key that exists but is not ready is printed in
/// full (secrets hidden unless asked), so that it is not lost. Under `--output json` the error is
/// one JSON document on standard output.
pub(crate) fn report(printer: &Printer, error: &CallError) -> u8 {
    let json = printer.format() == Format::Json;
    match error {
        CallError::Provider(ProviderError::NotReady(n)) => {
            if !json {
                eprintln!("error: {error}");
            }
            printer.not_ready(n);
            return exit::NOT_READY;
        }
        _ if json => printer.error_json(error),
        _ => eprintln!("error: {error}"),
    }
    match error {
        CallError::Provider(e) => match e {
            ProviderError::InvalidInput(_) | ProviderError::UnknownType(_) | ProviderError::Unsupported(_) => {
                exit::USER_ERROR
            }
            // Nothing was sent: what is missing is the user's to set.
            ProviderError::Api(e) if e.code == NO_CREDENTIALS_CODE => exit::USER_ERROR,
            ProviderError::NotFound(_) => exit::NOT_FOUND,
            ProviderError::Api(_) => exit::AWS_ERROR,
            // A kind of refusal this CLI does not know yet: the provider failed.
            _ => exit::FAILURE,
        },
        _ => exit::FAILURE,
    }
}

fn load_runtime(global: &Global) -> anyhow::Result<ComponentRuntime> {
    let bytes = match &global.component {
        Some(path) => std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
        None => lightsail_provider_host::PROVIDER_COMPONENT.to_vec(),
    };
    let cache_dir = if global.no_cache { None } else { global.cache_dir.clone().or_else(cache::default_dir) };
    ComponentRuntime::new(&bytes, RuntimeOptions { cache_dir, ..RuntimeOptions::default() })
}

/// The locks creates take. A `--local` run's endpoint lives in this process, which holds its state
/// file alone: no other process creates keys there, so this process's locks reach every creator.
fn locks(
    global: &Global,
    options: &LockOptions,
) -> Result<Arc<Locks>, lightsail_provider_host::lock::LockDirectoryError> {
    if global.local {
        return Ok(Arc::new(Locks::in_process().covering_every_creator()));
    }
    Locks::from_options(options).map(Arc::new)
}

/// The built-in endpoint of a `--local` run, and the lock on its state file that the run holds.
struct LocalRun {
    _endpoint: lightsail_local::LocalEndpoint,
    /// Held until the process ends: other `--local` runs on the same state wait their turn, so each
    /// loads the state the previous one saved (no update lost, the two-key limit kept).
    _state_lock: Option<std::fs::File>,
}

/// AWS access for the command: real AWS (or --endpoint-url), or the built-in local endpoint.
async fn connect(global: &Global, aws: &AwsOptions) -> anyhow::Result<(Arc<LightsailApi>, Option<LocalRun>)> {
    if !global.local {
        return Ok((Arc::new(LightsailApi::new(aws.clone()).await?), None));
    }
    // The file's target, if it is a symbolic link: the state is saved by renaming a new file over
    // it, which would replace the link.
    let state_file = global.local_state.clone().or_else(default_local_state).map(followed);
    let state_lock = match &state_file {
        Some(path) => Some(lock_state(path.clone()).await?),
        None => None,
    };
    let endpoint =
        lightsail_local::LocalEndpoint::start(lightsail_local::Config { state_file, ..Default::default() }).await?;
    let api = local_api(aws, &endpoint).await?;
    ensure_bucket(&api, demo::BUCKET, demo::BUNDLE).await?;
    Ok((api, Some(LocalRun { _endpoint: endpoint, _state_lock: state_lock })))
}

/// The path a chain of symbolic links leads to, whether or not the file at its end exists yet.
fn followed(mut path: PathBuf) -> PathBuf {
    // As many links as Linux follows before it gives up (ELOOP).
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else { break };
        path = match path.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    path
}

/// Waits for, and takes, the exclusive lock on `STATE.lock` beside the state file.
async fn lock_state(state: PathBuf) -> anyhow::Result<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        if let Some(dir) = state.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut name = state.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = state.with_file_name(name);
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                // Otherwise a run that waits would look hung.
                eprintln!("waiting for another --local run to finish with {}", state.display());
            }
            Err(std::fs::TryLockError::Error(e)) => anyhow::bail!("cannot lock {}: {e}", path.display()),
        }
        file.lock().map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", path.display()))?;
        Ok(file)
    })
    .await?
}

/// Lightsail at a local endpoint, with its credentials: `aws` with its region (else us-east-1),
/// retries, timeouts and default tags.
pub(crate) async fn local_api(
    aws: &AwsOptions,
    endpoint: &lightsail_local::LocalEndpoint,
) -> anyhow::Result<Arc<LightsailApi>> {
    let region = aws.region.clone().unwrap_or_else(|| "us-east-1".into());
    let creds = endpoint.credentials();
    let credentials = (creds.access_key_id.clone(), creds.secret_access_key.clone());
    Ok(Arc::new(LightsailApi::new(aws.clone().at_endpoint(endpoint.url(), &region, credentials)).await?))
}

/// Creates a bucket unless it exists (directly with the SDK: buckets are not this provider's).
pub(crate) async fn ensure_bucket(api: &LightsailApi, name: &str, bundle: &str) -> anyhow::Result<()> {
    let client = api.client(None);
    if client.get_buckets().bucket_name(name).send().await.is_ok() {
        return Ok(());
    }
    match client.create_bucket().bucket_name(name).bundle_id(bundle).send().await {
        Ok(_) => Ok(()),
        // Names are unique across regions: the bucket exists, in another region than this run's.
        Err(e)
            if e.as_service_error().and_then(|e| e.meta().message()).is_some_and(|m| m.contains("already in use")) =>
        {
            Ok(())
        }
        Err(e) => {
            anyhow::bail!("cannot create bucket {name}: {}", lightsail_provider_host::aws::errors::error_chain(&e))
        }
    }
}

fn default_local_state() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    let dir = base.join("lightsail-provider");
    let state = dir.join("local-endpoint.sqlite3");
    // Earlier versions kept a JSON file there: the endpoint migrates it when it opens it.
    let earlier = dir.join("local-endpoint.json");
    if !state.exists() && earlier.exists() {
        let _ = std::fs::rename(&earlier, &state);
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The CLI's options that are not provider settings.
    const OWN: &[&str] = &["local", "local-state", "output", "show-secrets", "component", "cache-dir", "no-cache"];

    fn flags_of_the_table() -> Vec<String> {
        let flags = settings::SETTINGS.iter().filter_map(|setting| match setting.cli {
            settings::CliSpelling::Flag(flag) => Some(flag.to_string()),
            _ => None,
        });
        let mut flags: Vec<String> = flags.collect();
        flags.sort();
        flags
    }

    /// Every setting of the host's table is a flag here, spelled as the table says, and each flag
    /// given reaches its setting; the secret ones come from the AWS environment instead.
    #[test]
    fn the_settings_flags_are_the_table_of_settings() {
        let command = Cli::command();
        let mut flags: Vec<String> = command
            .get_arguments()
            .filter_map(|arg| arg.get_long())
            .filter(|long| !OWN.contains(long) && !["help", "version"].contains(long))
            .map(String::from)
            .collect();
        flags.sort();
        assert_eq!(flags, flags_of_the_table());

        let mut line = vec!["lightsail-provider".to_string()];
        for setting in settings::SETTINGS {
            if let settings::CliSpelling::Flag(flag) = setting.cli {
                line.push(format!("--{flag}"));
                let value = match setting.kind {
                    settings::Kind::Flag => continue,
                    settings::Kind::DefaultTags => "k=v",
                    settings::Kind::Endpoints => "http://127.0.0.1:4566",
                    _ => "1",
                };
                line.push(value.into());
            }
        }
        line.push("types".into());
        let cli = Cli::try_parse_from(&line).unwrap();
        let mut given: Vec<String> = cli.global.given().unwrap().keys().cloned().collect();
        given.sort();
        let mut named: Vec<String> = settings::SETTINGS
            .iter()
            .filter(|s| matches!(s.cli, settings::CliSpelling::Flag(_)))
            .map(|s| s.name.to_string())
            .collect();
        named.sort();
        assert_eq!(given, named, "each flag reaches its setting");
    }

    #[test]
    fn a_failure_names_the_flag() {
        let cli = Cli::try_parse_from(["lightsail-provider", "--max-retries", "100", "types"]).unwrap();
        let error = cli.global.settings().unwrap_err();
        assert_eq!(error, "--max-retries: must be a whole number from 0 to 99, not 100");
    }
}
