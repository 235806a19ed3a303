//! `tools/dist`, the one command that writes what each ecosystem installs, run as a release would
//! run it (on the binaries `cargo test --workspace` built): twice, to the same component bytes and
//! archives; SHA256SUMS that `sha256sum -c` accepts; the Terraform provider's SHA256SUMS signed by
//! a GnuPG key the test makes. Then each artifact is installed in a clean place the way its users
//! install it, and reports the component of SHA256SUMS:
//! - the Pulumi plugin from its tarball: its `--version`, and the handshake Pulumi's engine makes;
//! - the CLI from its tarball: its `--version`, and the README's demo;
//! - the npm package by `npm install` in an empty project, then the README's JavaScript example;
//! - the wheel by `pip install` into an empty venv, then the README's Python example;
//! - the collection by `ansible-galaxy collection install`, then the README's playbook;
//! - the Terraform provider by `terraform init` from a network mirror served over HTTPS, with a
//!   fresh plugin cache: hashes locked, the seed applied, a tampered zip refused.
//!
//! Each runs against a local endpoint of its own and leaves nothing outside the test's folder.

use base64::Engine;
use lightsail_local::LocalEndpoint;
use lightsail_test_support::crossing::workspace_binary;
use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
use lightsail_test_support::hosts::{javascript_host, python_host, repository};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn file(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `command` off the runtime's threads (the local endpoint answers on them), and insists it succeeds.
async fn succeeds(mut command: Command) -> String {
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert!(output.status.success(), "{}", text(&output));
    text(&output)
}

/// The README's fenced block whose first line starts with `first`, as a user would copy it.
fn readme_block(first: &str) -> String {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let mut blocks = readme.split("```").skip(1).step_by(2);
    let block = blocks.find_map(|b| b.split_once('\n').map(|(_, body)| body).filter(|body| body.starts_with(first)));
    block.unwrap_or_else(|| panic!("README.md has a code block starting with {first:?}")).to_string()
}

/// The environment every installed artifact runs in (the shared helper's).
fn user(command: &mut Command, home: &Path, endpoint: &LocalEndpoint) {
    lightsail_test_support::hosts::as_aws_user(command, home, endpoint);
}

/// A folder of its own under the test's.
fn fresh(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(&path).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_command_writes_every_artifact_and_each_installs_as_its_users_install_it() {
    let test = "one_command_writes_every_artifact_and_each_installs_as_its_users_install_it";
    let Some(venv) = python_host(test) else { return };
    let Some((_, node)) = javascript_host(test) else { return };
    if !gnupg::installed() {
        assert!(std::env::var_os("REQUIRE_GPG").is_none(), "REQUIRE_GPG is set but gpg is not installed");
        eprintln!("SKIPPED {test}: gpg is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gpg = GnuPg::new();
    let key = gpg.generate(KeyKind::Rsa3072, "Release <release@example.com>");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let binaries = workspace_binary("lightsail-provider").parent().unwrap().to_path_buf();
    for out in [&first, &second] {
        let mut dist = Command::new(workspace_binary("dist"));
        dist.arg("--out").arg(out).arg("--binaries").arg(&binaries).args(["--sign", &key]);
        dist.arg("--ansible-galaxy").arg(venv.join("bin/ansible-galaxy"));
        dist.arg("--python").arg(venv.join("bin/python"));
        dist.env("GNUPGHOME", gpg.home()).env("HOME", dir.path());
        succeeds(dist).await;
    }

    // The same binaries give the same component and archives (the collection's tarball carries
    // the times ansible-galaxy writes, so it is compared by what SHA256SUMS says of it only).
    let zip = format!("terraform-provider-awslightsail_{VERSION}_linux_amd64.zip");
    let pulumi = format!("pulumi-resource-aws-v{VERSION}-linux-amd64.tar.gz");
    let cli = format!("lightsail-provider-v{VERSION}-linux-amd64.tar.gz");
    let npm = format!("lightsail-wasm-provider-{VERSION}.tgz");
    let wheel = format!("lightsail_wasm-{VERSION}-py3-none-any.whl");
    for name in ["provider.wasm", &zip, &pulumi, &cli, &npm, &wheel] {
        assert!(file(&first, name) == file(&second, name), "{name} differs between two runs");
    }
    let mut check = Command::new("sha256sum");
    check.args(["-c", "SHA256SUMS"]).current_dir(&first);
    succeeds(check).await;
    let sums = String::from_utf8(file(&first, "SHA256SUMS")).unwrap();
    let galaxy = std::fs::read_to_string(repository().join("adapters/ansible/galaxy.yml")).unwrap();
    let collection_version = galaxy.lines().find_map(|l| l.strip_prefix("version: ")).unwrap();
    let collection = format!("lightsail_wasm-lightsail-{collection_version}.tar.gz");
    for name in ["provider.wasm", &zip, &pulumi, &cli, &npm, &wheel, &collection] {
        assert!(sums.lines().any(|l| l.ends_with(&format!("  {name}"))), "{name} in SHA256SUMS:\n{sums}");
    }
    // The component of SHA256SUMS is the one the binaries carry (and say so in --version).
    let digest = lightsail_test_support::component_digest_by_coreutils();
    assert!(sums.starts_with(&format!("{}  provider.wasm\n", &digest["sha256:".len()..])), "{sums}");

    // The provider's SHA256SUMS is signed by the key, and names the zip by its hash.
    let provider_sums = format!("terraform-provider-awslightsail_{VERSION}_SHA256SUMS");
    let mut verify = Command::new("gpg");
    verify.env("GNUPGHOME", gpg.home()).args(["--batch", "--verify"]);
    verify.arg(first.join(format!("{provider_sums}.sig"))).arg(first.join(&provider_sums));
    assert!(succeeds(verify).await.contains("Good signature"));
    let zip_sum = format!("{}  {zip}\n", hex(&sha2::Sha256::digest(file(&first, &zip))));
    assert_eq!(String::from_utf8(file(&first, &provider_sums)).unwrap(), zip_sum);

    pulumi_plugin_from_its_tarball(&first.join(&pulumi), dir.path(), &digest).await;
    cli_from_its_tarball(&first.join(&cli), dir.path(), &digest).await;
    npm_package_in_an_empty_project(&first.join(&npm), dir.path(), &node, &digest).await;
    wheel_in_an_empty_venv(&first.join(&wheel), dir.path(), &digest).await;
    collection_from_its_tarball(&first.join(&collection), dir.path(), &venv, &digest).await;
    terraform_from_a_network_mirror(&first, &zip, dir.path(), &digest).await;
}

/// npm's cache, which `.ci/run` fills (`npm ci` in adapters/js, then the same install as the
/// test's, online, for the full registry documents npm 11 reads): the package installs from it,
/// offline.
fn npm_cache() -> PathBuf {
    match std::env::var_os("npm_config_cache") {
        Some(cache) => PathBuf::from(cache),
        None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".npm"),
    }
}

/// Unpacks a tarball that must hold one executable, `name`, alone; checks that its `--version`
/// names the component; answers where it is.
async fn unpacked_executable(tarball: &Path, name: &str, into: &Path, digest: &str) -> PathBuf {
    let mut list = Command::new("tar");
    list.arg("-tvzf").arg(tarball);
    let listing = succeeds(list).await;
    let entries: Vec<&str> = listing.lines().collect();
    assert!(entries.len() == 1 && entries[0].starts_with("-rwxr-xr-x"), "{listing}");
    assert!(entries[0].ends_with(&format!(" {name}")), "{listing}");
    let mut untar = Command::new("tar");
    untar.arg("-xzf").arg(tarball).arg("-C").arg(into);
    succeeds(untar).await;
    let executable = into.join(name);
    let mut version = Command::new(&executable);
    version.arg("--version");
    let said = succeeds(version).await;
    assert_eq!(said.trim(), format!("{name} {VERSION} (component {digest})"));
    executable
}

/// The CLI's tarball: unpacked, it runs the README's demo (offline, on its built-in endpoint).
async fn cli_from_its_tarball(tarball: &Path, dir: &Path, digest: &str) {
    let home = fresh(dir, "cli-user");
    let cli = unpacked_executable(tarball, "lightsail-provider", &home, digest).await;
    let mut demo = Command::new(cli);
    demo.arg("demo").current_dir(&home).env_clear().env("HOME", &home);
    let printed = succeeds(demo).await;
    assert!(printed.contains("S3 refuses the deleted key"), "{printed}");
}

/// The tarball holds the binary alone, executable, under the name Pulumi runs; launched as the
/// engine launches plugins, it prints its port and answers GetPluginInfo through Pulumi's own stubs.
async fn pulumi_plugin_from_its_tarball(tarball: &Path, dir: &Path, digest: &str) {
    let unpacked = fresh(dir, "pulumi-plugin");
    let plugin = unpacked_executable(tarball, "pulumi-resource-aws", &unpacked, digest).await;

    let Some(python) = std::env::var_os("PULUMI_TEST_PYTHON") else {
        assert!(std::env::var_os("REQUIRE_PULUMI_PYTHON").is_none(), "PULUMI_TEST_PYTHON is not set");
        eprintln!("SKIPPED the Pulumi handshake: set PULUMI_TEST_PYTHON");
        return;
    };
    let stubs = repository().join("adapters/pulumi-provider-lightsail/tests/python");
    let mut handshake = Command::new(python);
    handshake.arg("-c").arg(
        "import sys; sys.path.insert(0, sys.argv[1])\n\
         from google.protobuf import empty_pb2\n\
         from plugin import Plugin\n\
         with Plugin() as plugin: print(plugin.stub.GetPluginInfo(empty_pb2.Empty()).version)\n",
    );
    handshake.arg(&stubs).env("PLUGIN", &plugin).env("HOME", &unpacked).env("PYTHONDONTWRITEBYTECODE", "1");
    assert_eq!(succeeds(handshake).await.trim(), VERSION);
}

/// `npm install` of the package in an empty project, from npm's cache (offline: the package's
/// npm-shrinkwrap.json names every dependency's exact tarball); the README's example then runs
/// under Node 24 against the local endpoint, with no build step, and names the component.
async fn npm_package_in_an_empty_project(package: &Path, dir: &Path, node: &Path, digest: &str) {
    let project = fresh(dir, "npm-project");
    let mut install = Command::new("npm");
    install.args(["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"]).arg(package);
    install.current_dir(&project).env("npm_config_cache", npm_cache());
    // npm's own log goes beside the project, not into the cache's folder.
    install.env("npm_config_logs_dir", dir.join("npm-logs")).env("npm_config_update_notifier", "false");
    succeeds(install).await;

    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    std::fs::write(project.join("example.mjs"), readme_block("// example.mjs")).unwrap();
    let mut example = Command::new(node);
    user(&mut example, &project, &endpoint);
    example.arg("example.mjs");
    let printed = succeeds(example).await;
    assert!(printed.contains(&format!("component {digest}")), "{printed}");
    assert!(printed.contains("example-bucket,"), "the key's id is printed: {printed}");
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "the example deletes what it made");
    assert_eq!(endpoint.stats().calls.get("CreateBucketAccessKey"), Some(&1));
}

/// `pip install` of the wheel into an empty venv (its dependencies from the wheelhouse `.ci/run`
/// downloads, offline); `python -m lightsail_wasm --version` names the component and the
/// README's example runs against the local endpoint.
async fn wheel_in_an_empty_venv(wheel: &Path, dir: &Path, digest: &str) {
    let Some(wheelhouse) = std::env::var_os("PYTHON_WHEELHOUSE") else {
        assert!(std::env::var_os("REQUIRE_PYTHON_HOST").is_none(), "PYTHON_WHEELHOUSE is not set");
        eprintln!(
            "SKIPPED the wheel's install: set PYTHON_WHEELHOUSE to `pip download -r adapters/python/requirements.txt`'s folder"
        );
        return;
    };
    let home = fresh(dir, "python-user");
    let venv = home.join("venv");
    let mut make = Command::new("python3");
    make.args(["-m", "venv"]).arg(&venv);
    succeeds(make).await;
    let python = venv.join("bin/python");
    let mut install = Command::new(&python);
    install.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", "--find-links"]);
    install.arg(&wheelhouse).arg(wheel);
    succeeds(install).await;
    let mut version = Command::new(&python);
    version.args(["-m", "lightsail_wasm", "--version"]).current_dir(&home);
    assert_eq!(succeeds(version).await.trim(), format!("lightsail-wasm {VERSION} (component {digest})"));

    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    std::fs::write(home.join("example.py"), readme_block("# example.py")).unwrap();
    let mut example = Command::new(&python);
    user(&mut example, &home, &endpoint);
    example.arg("example.py").env("PYTHONDONTWRITEBYTECODE", "1");
    let printed = succeeds(example).await;
    assert!(printed.contains(&format!("component {digest}")), "{printed}");
    assert!(printed.contains("example-bucket,"), "the key's id is printed: {printed}");
    assert!(endpoint.inspect(|s| s.bucket_names("us-east-1")).is_empty(), "the example deletes what it made");
    assert_eq!(endpoint.stats().calls.get("CreateBucketAccessKey"), Some(&1));
}

/// `ansible-galaxy collection install` of the tarball; `component_info` names the component and
/// the README's playbook makes the bucket and its key at the local endpoint.
async fn collection_from_its_tarball(tarball: &Path, dir: &Path, venv: &Path, digest: &str) {
    let home = fresh(dir, "ansible-user");
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let ansible = |program: &str| {
        let mut command = Command::new(venv.join("bin").join(program));
        user(&mut command, &home, &endpoint);
        command
            .env("ANSIBLE_COLLECTIONS_PATH", home.join("collections"))
            // The local connection's remote side is `~USER`, whatever HOME says.
            .env("ANSIBLE_LOCAL_TEMP", home.join("ansible-local"))
            .env("ANSIBLE_REMOTE_TEMP", home.join("ansible-remote"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        command
    };
    let mut install = ansible("ansible-galaxy");
    install.args(["collection", "install", "--offline", "-p"]).arg(home.join("collections")).arg(tarball);
    succeeds(install).await;

    let mut info = ansible("ansible");
    info.args(["localhost", "-m", "lightsail_wasm.lightsail.component_info"]);
    let said = succeeds(info).await;
    assert!(said.contains(&format!("\"digest\": \"{digest}\"")), "{said}");

    std::fs::write(home.join("playbook.yml"), readme_block("- hosts: localhost")).unwrap();
    let mut play = ansible("ansible-playbook");
    play.arg("playbook.yml");
    let printed = succeeds(play).await;
    assert!(printed.contains("failed=0"), "{printed}");
    let keys = endpoint.inspect(|s| s.access_key_ids("us-east-1", "example-bucket")).unwrap();
    assert_eq!(keys.len(), 1, "{printed}");
}

/// `terraform init` from a network mirror served over HTTPS (the registry address kept, the
/// packages from the mirror), into an empty plugin cache: Terraform checks the zip against the
/// mirror's `zh:` hash and locks the package's `h1:`; the seed applies; then a tampered zip served
/// under the same name is refused.
async fn terraform_from_a_network_mirror(dist: &Path, zip: &str, dir: &Path, digest: &str) {
    let installed = Command::new("terraform").arg("version").output().is_ok_and(|o| o.status.success());
    if !installed {
        assert!(std::env::var_os("REQUIRE_TERRAFORM").is_none(), "REQUIRE_TERRAFORM is set but terraform is missing");
        eprintln!("SKIPPED the Terraform install: terraform is not installed");
        return;
    }
    let work = fresh(dir, "terraform-user");
    let mirror = https::Folder::serve(dist.join("terraform-mirror"), &work).await;
    let endpoint = LocalEndpoint::start(Default::default()).await.unwrap();
    let creds = endpoint.credentials();
    let configuration = format!(
        r#"terraform {{
  required_providers {{
    awslightsail = {{ source = "lightsail-wasm/awslightsail", version = "{VERSION}" }}
  }}
}}
provider "awslightsail" {{
  region     = "us-east-1"
  access_key = "{id}"
  secret_key = "{secret}"
  endpoints {{ lightsail = "{url}" }}
}}
resource "aws_lightsail_bucket" "example" {{
  provider  = awslightsail
  name      = "example-bucket"
  bundle_id = "small_1_0"
}}
resource "aws_lightsail_bucket_access_key" "example" {{
  provider    = awslightsail
  bucket_name = aws_lightsail_bucket.example.id
}}
"#,
        id = creds.access_key_id,
        secret = creds.secret_access_key,
        url = endpoint.url()
    );
    std::fs::write(work.join("main.tf"), configuration).unwrap();
    let cli = format!(
        "plugin_cache_dir = \"{cache}\"\nprovider_installation {{\n  network_mirror {{\n    url = \"https://localhost:{port}/\"\n    include = [\"lightsail-wasm/awslightsail\"]\n  }}\n  direct {{\n    exclude = [\"lightsail-wasm/awslightsail\"]\n  }}\n}}\n",
        cache = fresh(&work, "plugin-cache").display(),
        port = mirror.port
    );
    std::fs::write(work.join("cli.tfrc"), cli).unwrap();
    let terraform = |args: &[&str]| {
        let mut command = Command::new("terraform");
        command
            .args(args)
            .arg("-no-color")
            .current_dir(&work)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &work)
            .env("TF_CLI_CONFIG_FILE", work.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("SSL_CERT_FILE", &mirror.certificate);
        command
    };
    // Terraform checks the zip against the mirror's `zh:` hash, then locks the hash of the package
    // it unpacked ("h1:", the base64 SHA-256 of `sha256sum`-style lines over its files), computed
    // here anew. (It locks the mirror's own hashes only when a signature vouches for them, which
    // the registry protocol carries and a mirror does not.)
    let init = succeeds(terraform(&["init"])).await;
    let verified = format!("Installed lightsail-wasm/awslightsail v{VERSION} (verified checksum)");
    assert!(init.contains(&verified), "{init}");
    let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).unwrap();
    let binary = std::fs::read(workspace_binary("terraform-provider-lightsail")).unwrap();
    let line = format!("{}  terraform-provider-awslightsail_v{VERSION}\n", hex(&sha2::Sha256::digest(&binary)));
    let h1 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(line.as_bytes()));
    assert!(lock.contains(&format!("\"h1:{h1}\"")), "the package's hash is locked:\n{lock}");
    // What Terraform runs names the component.
    let installed = work.join(".terraform/providers/registry.terraform.io/lightsail-wasm/awslightsail");
    let executable = format!("{VERSION}/linux_amd64/terraform-provider-awslightsail_v{VERSION}");
    let mut version = Command::new(installed.join(executable));
    version.arg("--version");
    let said = succeeds(version).await;
    assert_eq!(said.trim(), format!("terraform-provider-lightsail {VERSION} (component {digest})"));
    assert!(mirror.served().iter().any(|p| p.ends_with(zip)), "the zip came from the mirror: {:?}", mirror.served());
    succeeds(terraform(&["apply", "-auto-approve"])).await;
    assert_eq!(endpoint.inspect(|s| s.access_key_ids("us-east-1", "example-bucket")).unwrap().len(), 1);

    // Another executable zipped under the same name, served where the real one was: with no lock
    // file and an empty cache, the mirror's own hash refuses it.
    let impostor = work.join(format!("terraform-provider-awslightsail_v{VERSION}"));
    std::fs::write(&impostor, "#!/bin/sh\nexit 1\n").unwrap();
    let served_zip = dist.join("terraform-mirror/registry.terraform.io/lightsail-wasm/awslightsail").join(zip);
    std::fs::remove_file(&served_zip).unwrap();
    let mut pack = Command::new("zip");
    pack.arg("-jq").arg(&served_zip).arg(&impostor);
    succeeds(pack).await;
    for made in [".terraform", "plugin-cache"] {
        std::fs::remove_dir_all(work.join(made)).unwrap();
    }
    std::fs::remove_file(work.join(".terraform.lock.hcl")).unwrap();
    fresh(&work, "plugin-cache");
    let mut init = terraform(&["init"]);
    let refused = tokio::task::spawn_blocking(move || init.output().unwrap()).await.unwrap();
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("checksum"), "{}", text(&refused));
}

/// A folder served over HTTPS, as a provider network mirror is.
mod https {
    use super::Arc;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    pub struct Folder {
        pub port: u16,
        /// The server's self-signed certificate for `localhost` (PEM), for the client to trust.
        pub certificate: PathBuf,
        served: Arc<Mutex<Vec<String>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Folder {
        /// Serves `root` on 127.0.0.1 (as `localhost`) until dropped; the certificate is written into `dir`.
        pub async fn serve(root: PathBuf, dir: &Path) -> Folder {
            let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
            let certificate = dir.join("mirror-certificate.pem");
            std::fs::write(&certificate, made.cert.pem()).unwrap();
            let key = rustls::pki_types::PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
            // ring, deprecated by rustls for want of post-quantum key exchange: the one TLS
            // library the tree links, for a server that answers over loopback only.
            #[allow(deprecated)]
            let crypto = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ServerConfig::builder_with_provider(crypto)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![made.cert.der().clone()], key)
                .unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let served = Arc::new(Mutex::new(Vec::new()));
            let log = served.clone();
            let task = tokio::spawn(async move {
                while let Ok((tcp, _)) = listener.accept().await {
                    let (acceptor, root, log) = (acceptor.clone(), root.clone(), log.clone());
                    tokio::spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else { return };
                        let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
                            let path = request.uri().path().to_string();
                            let found = std::fs::read(root.join(path.trim_start_matches('/')));
                            // The mirror protocol's JSON must say so; the archives are zips.
                            let kind = if path.ends_with(".json") { "application/json" } else { "application/zip" };
                            log.lock().unwrap().push(path);
                            let (status, body) = match found {
                                Ok(body) => (200, body),
                                Err(_) => (404, Vec::new()),
                            };
                            let response = hyper::Response::builder()
                                .status(status)
                                .header("content-type", kind)
                                .body(http_body_util::Full::new(bytes::Bytes::from(body)));
                            async move { response }
                        });
                        let io = hyper_util::rt::TokioIo::new(tls);
                        let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                    });
                }
            });
            Folder { port, certificate, served, task }
        }

        /// The paths asked for so far.
        pub fn served(&self) -> Vec<String> {
            self.served.lock().unwrap().clone()
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            self.task.abort();
        }
    }
}
