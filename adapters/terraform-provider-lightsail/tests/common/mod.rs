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

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("terraform");
        command
            .args(args)
            .arg("-no-color")
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.root)
            .env("TF_CLI_CONFIG_FILE", self.root.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("XDG_CACHE_HOME", self.root.join("cache"));
        command
    }

    pub fn terraform(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().unwrap();
        let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        Run { code: output.status.code().unwrap_or(-1), out }
    }

    /// Runs `script` with sh in the configuration's directory, as a user would type it, with
    /// terraform's environment.
    pub fn shell(&self, script: &str) -> String {
        let command = self.command(&[]);
        let output = Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(&self.work)
            .env_clear()
            .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .output()
            .unwrap();
        let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{script} failed:\n{out}");
        out
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

/// Where hashicorp/aws 5.100.0 is laid out as a filesystem mirror on these machines.
pub const HASHICORP_MIRROR: &str = "/opt/tf-plugins";

/// Whether the real hashicorp/aws can run here. CI sets `REQUIRE_HASHICORP_AWS=1`.
pub fn hashicorp_aws_installed(test: &str) -> bool {
    let binary = "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5";
    if std::path::Path::new(HASHICORP_MIRROR).join(binary).exists() {
        return true;
    }
    assert!(
        std::env::var_os("REQUIRE_HASHICORP_AWS").is_none(),
        "REQUIRE_HASHICORP_AWS is set but {binary} is not there"
    );
    eprintln!("SKIPPED {test}: hashicorp/aws 5.100.0 is not in {HASHICORP_MIRROR}");
    false
}

/// Both providers installed as documented: this one from a mirror laid out by the binary, under
/// its own address; hashicorp/aws from its mirror on these machines.
pub fn mirrored_workspace(endpoint: &LocalEndpoint, resources: &str) -> Workspace {
    let cli = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path = \"ROOT/mirror\"\n    include = [\"registry.terraform.io/lightsail-wasm/awslightsail\"]\n  }}\n  filesystem_mirror {{\n    path = \"{HASHICORP_MIRROR}\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n"
    );
    let ws = Workspace::with_cli_configuration(&cli, &both_providers(endpoint, resources));
    let laid_out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"))
        .arg("mirror")
        .arg(ws.root.join("mirror"))
        .output()
        .unwrap();
    assert!(laid_out.status.success(), "{}", String::from_utf8_lossy(&laid_out.stderr));
    assert!(String::from_utf8_lossy(&laid_out.stdout).contains("filesystem_mirror"), "it says how to use it");
    ws
}

/// A configuration requiring both providers, each pointed at the local endpoint, then `resources`.
pub fn both_providers(endpoint: &LocalEndpoint, resources: &str) -> String {
    let creds = endpoint.credentials();
    format!(
        r#"
terraform {{
  required_providers {{
    aws          = {{ source = "hashicorp/aws", version = "5.100.0" }}
    awslightsail = {{ source = "lightsail-wasm/awslightsail", version = "{version}" }}
  }}
}}
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "{id}"
  secret_key                  = "{secret}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{ lightsail = "{url}" }}
}}
provider "awslightsail" {{
  region     = "us-east-1"
  access_key = "{id}"
  secret_key = "{secret}"
  endpoints {{ lightsail = "{url}" }}
}}
{resources}"#,
        version = env!("CARGO_PKG_VERSION"),
        id = creds.access_key_id,
        secret = creds.secret_access_key,
        url = endpoint.url()
    )
}

impl Workspace {
    /// `terraform ARGS` started with its log and the plugin's at debug level in `log`
    /// (`TF_LOG_PATH`), its output piped.
    pub fn spawn_logging(&self, args: &[&str], log: &std::path::Path) -> std::process::Child {
        self.command(args)
            .env("TF_LOG_PROVIDER", "debug")
            .env("TF_LOG_PATH", log)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// `terraform ARGS` started in a process group of its own (its plugins join it), so that a
    /// test can kill the whole run at once.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        self.command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap()
    }
}
