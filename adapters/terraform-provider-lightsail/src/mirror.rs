//! `terraform-provider-lightsail mirror DIR`: lays this binary out as a Terraform filesystem mirror
//! under the provider's own source address, so that `terraform init` installs it, and records it
//! in the lock file, beside hashicorp/aws (which it does not replace).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The source address: `registry.terraform.io/lightsail-wasm/awslightsail`.
pub const HOSTNAME: &str = "registry.terraform.io";
pub const NAMESPACE: &str = "lightsail-wasm";
pub const TYPE: &str = "awslightsail";

/// Terraform's name of this platform (`linux_amd64`).
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub fn lay_out(dir: Option<&OsString>) -> ExitCode {
    let Some(dir) = dir else {
        eprintln!("usage: terraform-provider-lightsail mirror DIR");
        return ExitCode::from(2);
    };
    match copy_into(Path::new(dir)) {
        Ok(binary) => {
            let dir = Path::new(dir).canonicalize().unwrap_or_else(|_| PathBuf::from(dir));
            let source = format!("{HOSTNAME}/{NAMESPACE}/{TYPE}");
            println!("laid out {source} {} in {}", env!("CARGO_PKG_VERSION"), binary.display());
            println!(
                "\nAdd to your Terraform CLI configuration (~/.terraformrc, or the file TF_CLI_CONFIG_FILE names):\n"
            );
            print!("{}", cli_configuration(&dir));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot lay out the mirror in {}: {e}", Path::new(dir).display());
            ExitCode::FAILURE
        }
    }
}

/// Copies this binary to `DIR/HOSTNAME/NAMESPACE/TYPE/VERSION/PLATFORM/terraform-provider-TYPE_vVERSION`.
fn copy_into(dir: &Path) -> std::io::Result<PathBuf> {
    let version = env!("CARGO_PKG_VERSION");
    let target = dir.join(HOSTNAME).join(NAMESPACE).join(TYPE).join(version).join(platform());
    std::fs::create_dir_all(&target)?;
    let binary = target.join(format!("terraform-provider-{TYPE}_v{version}"));
    // A copy, not a link: Terraform hashes the package's files into the lock file.
    let partial = target.join(".partial");
    std::fs::copy(std::env::current_exe()?, &partial)?;
    std::fs::rename(&partial, &binary)?;
    Ok(binary)
}

/// The `provider_installation` block that takes this provider from the mirror and every other one
/// (hashicorp/aws too) from where it came before.
pub fn cli_configuration(dir: &Path) -> String {
    let source = format!("{HOSTNAME}/{NAMESPACE}/{TYPE}");
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{source}\"]\n  }}\n  direct {{\n    exclude = [\"{source}\"]\n  }}\n}}\n",
        dir.display()
    )
}
