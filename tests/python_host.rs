//! The Python host in `adapters/python` (wasmtime-py, boto3) and the Ansible collection built on it
//! in `adapters/ansible`, each against a local endpoint this test starts, with the component bytes
//! the Rust host embeds: the host's contract tests (lifecycle, not-ready, unknown type, regions,
//! 10,000 calls on one instance), then real `ansible-playbook` runs of the collection as
//! `ansible-galaxy` builds and installs it. `.ci/run` installs the pinned packages into a venv and
//! names it in `PYTHON_HOST`; elsewhere the tests say SKIPPED.

use lightsail_local::{Fault, FaultConfig, LocalEndpoint, ScriptedFault};
use lightsail_test_support::crossing;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lightsail_test_support::hosts::{python_host as venv, repository};

/// `program` from the venv, with a clean environment whose AWS settings reach `endpoint`.
fn from_venv(venv: &Path, program: &str, home: &Path, endpoint: &LocalEndpoint) -> Command {
    let creds = endpoint.credentials();
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new(venv.join("bin").join(program));
    command
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint.url())
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("AWS_REGION", lightsail_test_support::REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // The tests leave no files behind, in the source tree least of all.
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The venv's python in `adapters/python`, for the host's own tests: the component's bytes written
/// into `home`, and both named in the environment `tests/test_contract.py` reads.
fn host_test(venv: &Path, home: &Path, endpoint: &LocalEndpoint) -> Command {
    let wasm = home.join("provider.wasm");
    std::fs::write(&wasm, lightsail_provider_host::PROVIDER_COMPONENT).unwrap();
    let creds = endpoint.credentials();
    let mut test = from_venv(venv, "python", home, endpoint);
    test.current_dir(repository().join("adapters/python"))
        .env("ENDPOINT_URL", endpoint.url())
        .env("ACCESS_KEY_ID", &creds.access_key_id)
        .env("SECRET_ACCESS_KEY", &creds.secret_access_key)
        .env("PROVIDER_WASM", &wasm);
    test
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_host_passes_the_contract_tests() {
    let Some(venv) = venv("the_python_host_passes_the_contract_tests") else { return };
    let home = tempfile::tempdir().unwrap();
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let mut test = host_test(&venv, home.path(), &endpoint);
    test.args(["-m", "unittest", "-v", "tests/test_contract.py"]);
    let output = tokio::task::spawn_blocking(move || test.output().unwrap()).await.unwrap();
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("Ran 16 tests") && out.contains("\nOK"), "{out}");
}

/// `pgpKey` through the Python host: pysequoia refuses an expired, a revoked and a sign-only key
/// (and the component a Keybase name) with no request; a Curve25519 key made by gpg gets the
/// secret, which `gpg --decrypt` opens into the one the endpoint issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_host_encrypts_the_secret_to_a_pgp_key() {
    use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
    let test = "the_python_host_encrypts_the_secret_to_a_pgp_key";
    let Some(venv) = venv(test) else { return };
    if !gnupg::installed() {
        eprintln!("SKIPPED {test}: gpg is not installed");
        return;
    }
    let gpg = GnuPg::new();
    let curve = gpg.generate(KeyKind::Curve25519, "Curve <curve@example.com>");
    let bad = gpg.refused_keys();
    let home = tempfile::tempdir().unwrap();
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let mut script = host_test(&venv, home.path(), &endpoint);
    script
        .arg("tests/pgp_key.py")
        .env("BUCKET", "pgp-bucket")
        .env("BAD_KEYS", bad.to_string())
        .env("PGP_KEY", gpg.export_armored(&curve));
    let output = tokio::task::spawn_blocking(move || script.output().unwrap()).await.unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    let created: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let outputs = &created["outputs"]["values"];
    assert!(outputs["secretAccessKey"].is_null(), "{outputs}");
    assert_eq!(outputs["keyFingerprint"], curve.as_str());
    let secret = gpg.decrypt_base64(outputs["encryptedSecretAccessKey"].as_str().unwrap());
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret), "the plain secret is printed nowhere");
    assert_eq!(endpoint.inspect(|s| s.issued_secrets().to_vec()), vec![secret], "the secret is the key's");
}

/// The collection built by `adapters/ansible/build.sh` and installed by `ansible-galaxy` into a
/// directory of the test's own, with playbooks run against one local endpoint.
struct Collection {
    venv: PathBuf,
    home: tempfile::TempDir,
    endpoint: LocalEndpoint,
}

/// How the collection's tarball was made.
enum Packing {
    /// `adapters/ansible/build.sh`, which lays in the component and the Python host.
    BuildScript,
    /// `ansible-galaxy collection build` on `adapters/ansible` itself, as Ansible users build collections.
    PlainGalaxyBuild,
}

impl Collection {
    async fn installed(test: &str) -> Option<Collection> {
        Self::packed_and_installed(test, Packing::BuildScript).await
    }

    async fn packed_and_installed(test: &str, packing: Packing) -> Option<Collection> {
        let venv = venv(test)?;
        let home = tempfile::tempdir().unwrap();
        let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
        let dist = home.path().join("dist");
        let built = match packing {
            Packing::BuildScript => {
                let wasm = home.path().join("provider.wasm");
                std::fs::write(&wasm, lightsail_provider_host::PROVIDER_COMPONENT).unwrap();
                Command::new(repository().join("adapters/ansible/build.sh"))
                    .arg(&wasm)
                    .arg(&dist)
                    .arg(venv.join("bin/ansible-galaxy"))
                    .env("HOME", home.path()) // ansible-galaxy's cache and temporary files go there
                    .output()
                    .unwrap()
            }
            Packing::PlainGalaxyBuild => Command::new(venv.join("bin/ansible-galaxy"))
                .args(["collection", "build", "--output-path"])
                .arg(&dist)
                .current_dir(repository().join("adapters/ansible"))
                .env("HOME", home.path())
                .output()
                .unwrap(),
        };
        assert!(built.status.success(), "{}", text(&built));
        let tarball = std::fs::read_dir(&dist).unwrap().next().unwrap().unwrap().path();
        let collection = Collection { venv, home, endpoint };
        let install = collection
            .command("ansible-galaxy")
            .args(["collection", "install", "-p"])
            .arg(collection.collections())
            .arg(&tarball)
            .output()
            .unwrap();
        assert!(install.status.success(), "{}", text(&install));
        Some(collection)
    }

    fn collections(&self) -> PathBuf {
        self.home.path().join("collections")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = from_venv(&self.venv, program, self.home.path(), &self.endpoint);
        command
            .current_dir(self.home.path())
            .env("ANSIBLE_COLLECTIONS_PATH", self.collections())
            .env("ANSIBLE_PYTHON_INTERPRETER", self.venv.join("bin/python"))
            // Ansible's temporary files: the local connection's remote side is `~USER`, whatever HOME says.
            .env("ANSIBLE_LOCAL_TEMP", self.home.path().join("ansible-local"))
            .env("ANSIBLE_REMOTE_TEMP", self.home.path().join("ansible-remote"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false");
        command
    }

    /// Runs `tasks` (YAML, indented as a play's task list) on localhost, with `args`.
    async fn playbook(&self, tasks: &str, args: &[&str]) -> Output {
        let play = format!("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n{tasks}");
        let file = self.home.path().join("playbook.yml");
        std::fs::write(&file, play).unwrap();
        let mut command = self.command("ansible-playbook");
        command.arg(&file).args(args);
        tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
    }

    fn calls(&self) -> u64 {
        self.endpoint.stats().calls.values().sum()
    }

    fn mutating_calls(&self) -> u64 {
        let stats = self.endpoint.stats();
        stats.calls.iter().filter(|(op, _)| !op.starts_with("Get")).map(|(_, n)| n).sum()
    }
}

/// The seed's example: a bucket and a key of it.
const SEED: &str = "
    - lightsail_wasm.lightsail.bucket:
        name: example-bucket
        bundle_id: small_1_0
        tags: {team: web}
    - lightsail_wasm.lightsail.bucket_access_key:
        bucket_name: example-bucket
      register: key
    - copy: {content: '{{ key.secret_access_key }}', dest: secret}
      no_log: true
    - debug: {msg: 'KEY={{ key.access_key_id }}'}
";

fn recap(output: &Output) -> String {
    let out = text(output);
    out.lines().find(|l| l.starts_with("localhost ") && l.contains("ok=")).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ansible_runs_the_seed_example_idempotently_and_keeps_the_secret_hidden() {
    let test = "ansible_runs_the_seed_example_idempotently_and_keeps_the_secret_hidden";
    let Some(ansible) = Collection::installed(test).await else { return };

    // Check mode: the key's create is previewed, the bucket only read: nothing is changed.
    let checked = ansible.playbook(SEED.split("    - copy").next().unwrap(), &["--check"]).await;
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(recap(&checked).contains("changed=2"), "{}", text(&checked));
    assert_eq!(ansible.mutating_calls(), 0, "check mode changed nothing: {:?}", ansible.endpoint.stats().calls);

    let first = ansible.playbook(SEED, &["-vvvv"]).await;
    let out = text(&first);
    assert!(first.status.success(), "{out}");
    assert!(recap(&first).contains("changed=3"), "{out}");
    let secret = std::fs::read_to_string(ansible.home.path().join("secret")).unwrap();
    assert_eq!(secret.len(), 40, "the registered variable holds the secret");
    assert!(!out.contains(&secret), "the secret is nowhere in the -vvvv output");
    let key = out.split("KEY=").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(crossing::keys_of(&ansible.endpoint, "example-bucket"), vec![key.clone()]);
    let issued = ansible.endpoint.inspect(|s| s.issued_secrets().to_vec());
    assert_eq!(issued, vec![secret.clone()], "the secret is the key's");

    // The second run: the bucket is as declared (ok), the key module makes a second key.
    let second = ansible.playbook(SEED, &[]).await;
    assert!(second.status.success(), "{}", text(&second));
    assert!(text(&second).contains("ok: [localhost]"), "{}", text(&second));
    assert!(recap(&second).contains("changed=2"), "only the new key changed: {}", text(&second));

    // An in-place change: the bundle and the tags, in check mode first (only reads), then for real.
    let change = "
    - lightsail_wasm.lightsail.bucket:
        name: example-bucket
        bundle_id: medium_1_0
        tags: {team: api}
";
    let before = ansible.mutating_calls();
    let previewed = ansible.playbook(change, &["--check", "--diff"]).await;
    assert!(previewed.status.success() && recap(&previewed).contains("changed=1"), "{}", text(&previewed));
    assert!(text(&previewed).contains("medium_1_0"), "the diff shows the new bundle: {}", text(&previewed));
    assert_eq!(ansible.mutating_calls(), before, "check mode changed nothing");
    let changed = ansible.playbook(change, &[]).await;
    assert!(changed.status.success() && recap(&changed).contains("changed=1"), "{}", text(&changed));
    let again = ansible.playbook(change, &[]).await;
    assert!(recap(&again).contains("changed=0"), "{}", text(&again));
    let calls = ansible.endpoint.stats().calls;
    assert_eq!((calls["UpdateBucketBundle"], calls["TagResource"]), (1, 1), "{calls:?}");

    // A key deleted twice: changed, then ok.
    let absent = format!(
        "
    - lightsail_wasm.lightsail.bucket_access_key:
        bucket_name: example-bucket
        id: {key}
        state: absent
"
    );
    let gone = ansible.playbook(&absent, &[]).await;
    assert!(gone.status.success() && recap(&gone).contains("changed=1"), "{}", text(&gone));
    let still_gone = ansible.playbook(&absent, &[]).await;
    assert!(still_gone.status.success() && recap(&still_gone).contains("changed=0"), "{}", text(&still_gone));
    assert!(!crossing::keys_of(&ansible.endpoint, "example-bucket").contains(&key));
}

/// amazon.aws's iam_access_key integration target, translated for a bucket's keys
/// (`adapters/ansible/tests/integration/targets/bucket_access_key`), runs every step on the local
/// endpoint: listings of none, one and two keys; check-mode create, rotation and delete, after each
/// of which the endpoint's count of writes (its stats route, read by the play) has not moved; a
/// third key refused; a rotation; a key touched and deleted by id. The connection options reach
/// every module through `module_defaults` and the collection's group, with no AWS variable in the
/// environment; no secret shows in the output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_aws_iam_access_key_target_translated_runs_every_step() {
    let test = "amazon_aws_iam_access_key_target_translated_runs_every_step";
    let Some(ansible) = Collection::installed(test).await else { return };
    let creds = ansible.endpoint.credentials();
    let target = repository().join("adapters/ansible/tests/integration/targets/bucket_access_key/tasks/main.yml");
    let play = format!(
        r#"- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/lightsail_wasm.lightsail.lightsail:
      access_key: "{{{{ access_key }}}}"
      secret_key: "{{{{ secret_key }}}}"
      endpoint_url: "{{{{ endpoint_url }}}}"
      region: us-east-1
  vars:
    bucket_name: translated-keys
    # Templated anew each time it is read: the endpoint's writes (every call but a Get) so far.
    writes_now: "{{{{ (lookup('ansible.builtin.url', endpoint_url ~ '/_lightsail-local/stats', split_lines=false)
      | from_json).calls | dict2items | rejectattr('key', 'match', 'Get') | map(attribute='value') | sum }}}}"
  tasks:
    - ansible.builtin.import_tasks: {}
"#,
        target.display()
    );
    let file = ansible.home.path().join("translated.yml");
    std::fs::write(&file, play).unwrap();
    let vars = serde_json::json!({
        "access_key": creds.access_key_id, "secret_key": creds.secret_access_key, "endpoint_url": ansible.endpoint.url(),
    });
    let vars_file = ansible.home.path().join("connection.json");
    std::fs::write(&vars_file, vars.to_string()).unwrap();
    let mut command = ansible.command("ansible-playbook");
    command.arg(&file).arg("-e").arg(format!("@{}", vars_file.display()));
    for variable in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_REGION"] {
        command.env_remove(variable);
    }
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(recap(&output).contains("failed=0") && recap(&output).contains("ignored=1"), "{out}");
    let asserted = out.matches("All assertions passed").count();
    assert_eq!(asserted, 12, "every step's assertions ran: {out}");
    let issued = ansible.endpoint.inspect(|s| s.issued_secrets().to_vec());
    assert_eq!(issued.len(), 3, "two keys and the rotation's");
    assert!(issued.iter().all(|secret| !out.contains(secret)), "no secret in the output: {out}");
    let calls = ansible.endpoint.stats().calls;
    // The rotation deleted one key, the task by id another; the bucket went with the last.
    assert_eq!((calls["CreateBucketAccessKey"], calls["DeleteBucketAccessKey"]), (3, 2), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ansible_refuses_bad_input_naming_the_option_with_no_request() {
    let test = "ansible_refuses_bad_input_naming_the_option_with_no_request";
    let Some(ansible) = Collection::installed(test).await else { return };
    let cases = [
        ("bucket_access_key:\n        bucket_name: Bad_Name", "bucket_name: may contain only lowercase"),
        ("bucket_access_key:\n        bucket_name: ok-bucket\n        region: xx-nowhere-1", "region: "),
        ("bucket:\n        name: ok-bucket\n        bundle_id: small_1_0\n        tags: {'aws:x': y}", "tags: "),
        ("bucket:\n        name: Bad_Name\n        state: absent", "\"msg\": \"name: may contain only lowercase"),
        (
            "bucket_access_key:\n        bucket_name: ok-bucket\n        state: absent",
            "state is absent but all of the following are missing: id",
        ),
    ];
    for (task, message) in cases {
        let calls = ansible.calls();
        let output = ansible.playbook(&format!("    - lightsail_wasm.lightsail.{task}\n"), &[]).await;
        let out = text(&output);
        assert!(!output.status.success(), "{out}");
        let failure = out.lines().find(|line| line.contains(message)).unwrap_or_else(|| panic!("{message:?} in {out}"));
        assert!(!failure.contains("bucketName") && !out.contains("Traceback"), "Ansible's names, no traceback: {out}");
        assert_eq!(ansible.calls(), calls, "no request for {task}");
    }
    for (module, own) in [
        ("bucket_access_key", ["rotate_keys", "secret_access_key"]),
        ("bucket", ["bundle_id", "tags_all"]),
        ("bucket_access_key_info", ["access_keys", "last_used"]),
        ("bucket_info", ["buckets", "bundle_id"]),
    ] {
        let doc = ansible.command("ansible-doc").arg(format!("lightsail_wasm.lightsail.{module}")).output().unwrap();
        let out = text(&doc);
        assert!(doc.status.success(), "{out}");
        // Its own options and return values, and the connection options of the shared fragment.
        assert!(own.iter().all(|word| out.contains(word)) && out.contains("RETURN VALUES"), "{out}");
        assert!(out.contains("AWS_DEFAULT_REGION") && out.contains("endpoint_url"), "{out}");
        assert!(["access_key", "secret_key", "session_token", "profile"].iter().all(|o| out.contains(o)), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ansible_after_a_lost_create_answer_leaves_no_orphan_and_deletes_no_sibling() {
    let test = "ansible_after_a_lost_create_answer_leaves_no_orphan_and_deletes_no_sibling";
    let Some(ansible) = Collection::installed(test).await else { return };
    const BUCKET: &str = "lost-answer";
    let sibling = format!(
        "
    - lightsail_wasm.lightsail.bucket: {{name: {BUCKET}, bundle_id: small_1_0}}
    - lightsail_wasm.lightsail.bucket_access_key: {{bucket_name: {BUCKET}}}
      register: sibling
    - debug: {{msg: 'SIBLING={{{{ sibling.access_key_id }}}}'}}
"
    );
    let made = ansible.playbook(&sibling, &[]).await;
    assert!(made.status.success(), "{}", text(&made));
    let sibling = text(&made).split("SIBLING=").nth(1).unwrap().split('"').next().unwrap().to_string();

    let lost =
        ScriptedFault { operation: Some("CreateBucketAccessKey".into()), fault: Fault::LostResponse, hold: None };
    ansible.endpoint.set_faults(FaultConfig { seed: 1, script: vec![lost], ..Default::default() }).unwrap();
    let create = format!(
        "
    - lightsail_wasm.lightsail.bucket_access_key: {{bucket_name: {BUCKET}, key_creators_share_lock: true}}
      register: key
    - debug: {{msg: 'KEY={{{{ key.access_key_id }}}}'}}
"
    );
    let created = ansible.playbook(&create, &[]).await;
    let out = text(&created);
    assert!(created.status.success(), "{out}");
    assert_eq!(ansible.endpoint.stats().faults["lost_response"], 1, "the first answer was lost");
    assert_eq!(ansible.endpoint.stats().calls["CreateBucketAccessKey"], 3, "the sibling, the lost one, the retry");
    let key = out.split("KEY=").nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut expected = vec![sibling, key];
    expected.sort();
    assert_eq!(crossing::keys_of(&ansible.endpoint, BUCKET), expected, "the sibling and the new key; no orphan");
}

/// A task against an endpoint that refuses connections fails at once, naming the endpoint, and
/// a bucket Lightsail refuses to delete for its keys says which option allows it, in the task's
/// terms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ansible_fails_at_once_against_a_refusing_endpoint_and_hints_in_its_own_terms() {
    let test = "ansible_fails_at_once_against_a_refusing_endpoint_and_hints_in_its_own_terms";
    let Some(ansible) = Collection::installed(test).await else { return };
    let refused = "    - lightsail_wasm.lightsail.bucket_access_key: {bucket_name: nowhere, endpoint_url: 'http://127.0.0.1:1'}\n";
    let output = ansible.playbook(refused, &[]).await;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("http://127.0.0.1:1 could not be reached"), "{out}");

    let kept = "
    - lightsail_wasm.lightsail.bucket: {name: kept-bucket, bundle_id: small_1_0}
    - lightsail_wasm.lightsail.bucket_access_key: {bucket_name: kept-bucket}
    - lightsail_wasm.lightsail.bucket: {name: kept-bucket, state: absent}
";
    let output = ansible.playbook(kept, &[]).await;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    let msg = out.lines().find(|l| l.contains("\"msg\": \"AWS error")).unwrap_or_else(|| panic!("a msg in {out}"));
    assert!(msg.contains("forceDelete; set force_delete: true in the task to allow it"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_packed_without_build_sh_fails_saying_its_component_is_missing_and_how_to_get_one() {
    let test = "a_collection_packed_without_build_sh_fails_saying_its_component_is_missing_and_how_to_get_one";
    let Some(ansible) = Collection::packed_and_installed(test, Packing::PlainGalaxyBuild).await else { return };
    let output = ansible
        .playbook("    - lightsail_wasm.lightsail.bucket_access_key: {bucket_name: example-bucket}\n", &[])
        .await;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("has no provider component: it was packed without build.sh"), "{out}");
    assert!(out.contains("Install a release's collection tarball, or build one with `cargo run -p dist`"), "{out}");
    assert!(!out.contains("Failed to import the required Python library"), "the libraries are installed: {out}");
    assert_eq!(ansible.calls(), 0, "no call is made");
}
