//! `tools/dist`, the one command that writes what each ecosystem installs, run as a release would
//! run it (on the binaries `cargo test --workspace` built): twice, to the same component bytes and
//! archives; SHA256SUMS that `sha256sum -c` accepts; the Terraform provider's SHA256SUMS signed by
//! a GnuPG key the test makes; every binary carrying the component of SHA256SUMS; and the provider
//! installed by `terraform init` from the folder as a mirror, its hash written into
//! `.terraform.lock.hcl`, the seed applied against the local endpoint, a tampered zip refused.

use base64::Engine;
use lightsail_test_support::crossing::workspace_binary;
use lightsail_test_support::gnupg::{self, GnuPg, KeyKind};
use lightsail_test_support::hosts::python_host;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `dist --out OUT` on the built binaries, signing with `key`.
fn dist(out: &Path, venv: &Path, gpg: &GnuPg, key: &str, home: &Path) -> Output {
    let binaries = workspace_binary("lightsail-provider").parent().unwrap().to_path_buf();
    Command::new(workspace_binary("dist"))
        .arg("--out")
        .arg(out)
        .arg("--binaries")
        .arg(&binaries)
        .args(["--sign", key, "--ansible-galaxy"])
        .arg(venv.join("bin/ansible-galaxy"))
        .env("GNUPGHOME", gpg.home())
        .env("HOME", home)
        .output()
        .unwrap()
}

fn file(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Terraform in `work`, with a CLI configuration whose only source of the provider is `mirror`.
fn terraform(work: &Path, mirror: &Path, args: &[&str]) -> Output {
    let config = work.join("cli.tfrc");
    let cli = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n    include = [\"lightsail-wasm/awslightsail\"]\n  }}\n  direct {{\n    exclude = [\"lightsail-wasm/awslightsail\"]\n  }}\n}}\n",
        mirror.display()
    );
    std::fs::write(&config, cli).unwrap();
    Command::new("terraform")
        .args(args)
        .arg("-no-color")
        .current_dir(work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", work)
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("XDG_CACHE_HOME", work.join("cache"))
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_command_writes_every_artifact_and_terraform_installs_the_provider_from_it() {
    let test = "one_command_writes_every_artifact_and_terraform_installs_the_provider_from_it";
    let Some(venv) = python_host(test) else { return };
    if !gnupg::installed() {
        assert!(std::env::var_os("REQUIRE_GPG").is_none(), "REQUIRE_GPG is set but gpg is not installed");
        eprintln!("SKIPPED {test}: gpg is not installed");
        return;
    }
    let terraform_installed = Command::new("terraform").arg("version").output().is_ok_and(|o| o.status.success());
    assert!(terraform_installed || std::env::var_os("REQUIRE_TERRAFORM").is_none(), "terraform is required");
    let dir = tempfile::tempdir().unwrap();
    let gpg = GnuPg::new();
    let key = gpg.generate(KeyKind::Rsa3072, "Release <release@example.com>");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    for out in [&first, &second] {
        let made = tokio::task::block_in_place(|| dist(out, &venv, &gpg, &key, dir.path()));
        assert!(made.status.success(), "{}", text(&made));
    }

    // The same binaries give the same component and archives (the collection's tarball carries
    // the times ansible-galaxy writes, so it is compared by what SHA256SUMS says of it only).
    let version = env!("CARGO_PKG_VERSION");
    let zip = format!("terraform-provider-awslightsail_{version}_linux_amd64.zip");
    let pulumi = format!("pulumi-resource-aws-v{version}-linux-amd64.tar.gz");
    for name in ["provider.wasm", zip.as_str(), pulumi.as_str()] {
        assert!(file(&first, name) == file(&second, name), "{name} differs between two runs");
    }
    let check = Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(&first).output().unwrap();
    assert!(check.status.success(), "{}", text(&check));
    let sums = String::from_utf8(file(&first, "SHA256SUMS")).unwrap();
    let galaxy =
        std::fs::read_to_string(lightsail_test_support::hosts::repository().join("adapters/ansible/galaxy.yml"));
    let galaxy = galaxy.unwrap();
    let collection_version = galaxy.lines().find_map(|l| l.strip_prefix("version: ")).unwrap();
    let collection = format!("lightsail_wasm-lightsail-{collection_version}.tar.gz");
    for name in ["provider.wasm", zip.as_str(), pulumi.as_str(), collection.as_str()] {
        assert!(sums.lines().any(|l| l.ends_with(&format!("  {name}"))), "{name} in SHA256SUMS:\n{sums}");
    }
    // The component of SHA256SUMS is the one the binaries carry (and say so in --version).
    let digest = lightsail_test_support::component_digest_by_coreutils();
    assert!(sums.starts_with(&format!("{}  provider.wasm\n", &digest["sha256:".len()..])), "{sums}");

    // The provider's SHA256SUMS is signed by the key, and names the zip by its hash.
    let provider_sums = format!("terraform-provider-awslightsail_{version}_SHA256SUMS");
    let verified = Command::new("gpg")
        .env("GNUPGHOME", gpg.home())
        .args(["--batch", "--verify"])
        .arg(first.join(format!("{provider_sums}.sig")))
        .arg(first.join(&provider_sums))
        .output()
        .unwrap();
    assert!(verified.status.success() && text(&verified).contains("Good signature"), "{}", text(&verified));

    if !terraform_installed {
        eprintln!("SKIPPED the Terraform install in {test}: terraform is not installed");
        return;
    }
    install_from_the_mirror(&first.join("terraform-mirror"), &first.join(&zip), dir.path()).await;
}

/// `terraform init` from the mirror: the package's hash goes into the lock file, the seed applies;
/// then a tampered zip under the same name is refused against that lock file.
async fn install_from_the_mirror(mirror: &Path, zip: &Path, dir: &Path) {
    let endpoint = lightsail_local::LocalEndpoint::start(Default::default()).await.unwrap();
    let creds = endpoint.credentials();
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let configuration = format!(
        r#"terraform {{
  required_providers {{
    awslightsail = {{ source = "lightsail-wasm/awslightsail", version = "{version}" }}
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
        version = env!("CARGO_PKG_VERSION"),
        id = creds.access_key_id,
        secret = creds.secret_access_key,
        url = endpoint.url()
    );
    std::fs::write(work.join("main.tf"), configuration).unwrap();
    let run = |mirror: PathBuf, args: &'static [&'static str]| {
        let work = work.clone();
        tokio::task::spawn_blocking(move || terraform(&work, &mirror, args))
    };
    let init = run(mirror.to_path_buf(), &["init"]).await.unwrap();
    assert!(init.status.success(), "{}", text(&init));
    // A filesystem mirror gives Terraform the package itself, so it locks the hash of its contents
    // ("h1:", the base64 SHA-256 of `sha256sum`-style lines over the files), computed here anew.
    let lock = std::fs::read_to_string(work.join(".terraform.lock.hcl")).unwrap();
    let binary = std::fs::read(workspace_binary("terraform-provider-lightsail")).unwrap();
    let name = format!("terraform-provider-awslightsail_v{}", env!("CARGO_PKG_VERSION"));
    let line = format!("{}  {name}\n", hex(&sha2::Sha256::digest(&binary)));
    let h1 = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(line.as_bytes()));
    assert!(lock.contains(&format!("\"h1:{h1}\"")), "the package's hash is locked:\n{lock}");
    let applied = run(mirror.to_path_buf(), &["apply", "-auto-approve"]).await.unwrap();
    assert!(applied.status.success(), "{}", text(&applied));
    assert_eq!(endpoint.inspect(|s| s.access_key_ids("us-east-1", "example-bucket")).unwrap().len(), 1);

    // The same names, another executable inside: refused against the lock file's hash.
    let tampered = dir.join("tampered");
    let into = tampered.join("registry.terraform.io/lightsail-wasm/awslightsail");
    std::fs::create_dir_all(&into).unwrap();
    let impostor = dir.join(&name);
    std::fs::write(&impostor, "#!/bin/sh\nexit 1\n").unwrap();
    let zipped = Command::new("zip").arg("-jq").arg(into.join(zip.file_name().unwrap())).arg(&impostor).output();
    assert!(zipped.unwrap().status.success());
    std::fs::remove_dir_all(work.join(".terraform")).unwrap();
    let refused = run(tampered, &["init"]).await.unwrap();
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("checksum"), "{}", text(&refused));
}
