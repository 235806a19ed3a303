//! A client nobody here wrote: Pulumi's own generated stubs (the PyPI `pulumi` package, pinned in
//! `tests/python/requirements.txt`) drive the plugin through the engine's call sequences; the same
//! script validates the served schema against Pulumi's metaschema and docs/pulumi.md's YAML program
//! against the schema. `.ci/run` installs the packages and names the interpreter in
//! `PULUMI_TEST_PYTHON`.

use lightsail_test_support::TestEnvironment;
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulumis_own_stubs_drive_the_plugin() {
    let Some(python) = std::env::var_os("PULUMI_TEST_PYTHON") else {
        assert!(std::env::var_os("REQUIRE_PULUMI_PYTHON").is_none(), "PULUMI_TEST_PYTHON is not set");
        eprintln!("skipped: set PULUMI_TEST_PYTHON to a Python with tests/python/requirements.txt installed");
        return;
    };
    let env = TestEnvironment::new().await;
    let creds = env.endpoint.credentials().clone();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(python);
    command
        .arg(here.join("tests/python/engine_client.py"))
        .env("PLUGIN", env!("CARGO_BIN_EXE_pulumi-resource-aws"))
        .env("ENDPOINT_URL", env.endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("METASCHEMA", here.join("tests/python/pulumi-metaschema.json"))
        .env("PULUMI_PAGE", here.join("../../docs/pulumi.md"))
        .env("HOME", home.path())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
}
