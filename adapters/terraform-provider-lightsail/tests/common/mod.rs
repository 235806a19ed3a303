//! What the Terraform tests share: a workspace the installed `terraform` runs in, with this
//! provider's plugin in place, and the provider block for a local endpoint.
#![allow(dead_code)]

use lightsail_local::LocalEndpoint;
use std::path::PathBuf;
use std::process::Command;

pub const SEED: &str = r#"
resource "aws_lightsail_bucket" "example" {
  name      = "example-bucket"
  bundle_id = "small_1_0"
}
resource "aws_lightsail_bucket_access_key" "example" {
  bucket_name = aws_lightsail_bucket.example.id
}
"#;

/// Whether terraform can run here. CI sets `REQUIRE_TERRAFORM=1` so these tests cannot be skipped there.
pub fn terraform_installed(test: &str) -> bool {
    if Command::new("terraform").arg("version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("REQUIRE_TERRAFORM").is_none(), "REQUIRE_TERRAFORM is set but terraform is not installed");
    eprintln!("SKIPPED {test}: terraform is not installed (see docs/terraform.md)");
    false
}

pub struct Workspace {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub work: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub out: String,
}

impl Workspace {
    pub fn new(provider_block: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let plugins = root.join("plugins");
        let work = root.join("work");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        // Terraform looks for terraform-provider-<type> in the override directory.
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_terraform-provider-lightsail"),
            plugins.join("terraform-provider-aws"),
        )
        .unwrap();
        std::fs::write(
            root.join("cli.tfrc"),
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"hashicorp/aws\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugins.display()
            ),
        )
        .unwrap();
        let workspace = Self { _dir: dir, root, work };
        workspace.write(provider_block, SEED);
        workspace
    }

    /// A workspace whose CLI configuration is `cli` (the placeholder `ROOT` is its directory) and
    /// whose configuration is `main_tf`.
    pub fn with_cli_configuration(cli: &str, main_tf: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let work = root.join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(root.join("cli.tfrc"), cli.replace("ROOT", &root.display().to_string())).unwrap();
        std::fs::write(work.join("main.tf"), main_tf).unwrap();
        Self { _dir: dir, root, work }
    }

    pub fn write(&self, provider_block: &str, resources: &str) {
        std::fs::write(self.work.join("main.tf"), format!("{provider_block}\n{resources}")).unwrap();
    }

    pub fn terraform(&self, args: &[&str]) -> Run {
        let output = Command::new("terraform")
            .args(args)
            .arg("-no-color")
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.root)
            .env("TF_CLI_CONFIG_FILE", self.root.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("XDG_CACHE_HOME", self.root.join("cache"))
            .output()
            .unwrap();
        let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        Run { code: output.status.code().unwrap_or(-1), out }
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.terraform(args);
        assert_eq!(run.code, 0, "terraform {args:?} failed:\n{}", run.out);
        run.out
    }
}

pub fn provider_block(endpoint: &LocalEndpoint) -> String {
    let creds = endpoint.credentials();
    format!(
        "provider \"aws\" {{\n  region     = \"us-east-1\"\n  access_key = \"{}\"\n  secret_key = \"{}\"\n  max_retries = 1\n  endpoints {{\n    lightsail = \"{}\"\n  }}\n}}\n",
        creds.access_key_id,
        creds.secret_access_key,
        endpoint.url()
    )
}

/// Whether `terraform state show` output has `name = value` (its alignment varies).
pub fn has(show: &str, name: &str, value: &str) -> bool {
    show.lines().any(|line| {
        let mut parts = line.trim().splitn(2, '=');
        parts.next().map(str::trim) == Some(name) && parts.next().map(str::trim) == Some(value)
    })
}

pub fn state_id(show: &str) -> String {
    let line = show.lines().find(|l| l.trim_start().starts_with("id ")).expect("an id line");
    line.split('"').nth(1).unwrap().to_string()
}

pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}
