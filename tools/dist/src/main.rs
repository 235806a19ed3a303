//! `cargo run -p dist -- --out DIR`: writes what each ecosystem installs into one folder.
//!
//! - `provider.wasm`, the component every engine runs, and `provider.wasm.sha256`;
//! - the Terraform provider as a registry ships it: `terraform-provider-awslightsail_VERSION_PLATFORM.zip`,
//!   `terraform-provider-awslightsail_VERSION_SHA256SUMS` and, with `--sign KEY`, its detached
//!   OpenPGP signature `…_SHA256SUMS.sig`; and `terraform-mirror/`, a mirror of it that Terraform
//!   reads as a filesystem mirror (packed layout) and, served over HTTPS, as a network mirror
//!   (`index.json`, `VERSION.json`);
//! - the Pulumi plugin as Pulumi ships plugins: `pulumi-resource-aws-vVERSION-PLATFORM.tar.gz`;
//! - the CLI the same way: `lightsail-provider-vVERSION-PLATFORM.tar.gz`;
//! - the JavaScript host as an npm package (`npm pack`) carrying the component and jco's output
//!   for it, so that it runs with no build step where it is installed;
//! - the Python host as a wheel carrying the component;
//! - the Ansible collection with the component inside (`adapters/ansible/build.sh`);
//! - `SHA256SUMS` over all of it.
//!
//! Every binary must carry the component written beside it (its `--version` names the digest),
//! or nothing is written. The archives are stored with fixed times and modes, so that the same
//! binaries give the same bytes.

use anyhow::{Context, bail, ensure};
use clap::Parser;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Terraform provider's type, as its source address `registry.terraform.io/lightsail-wasm/awslightsail` names it.
const TERRAFORM_TYPE: &str = "awslightsail";
const TERRAFORM_SOURCE: &str = "registry.terraform.io/lightsail-wasm/awslightsail";
/// The Pulumi plugin's name: the package `aws`, as pulumi-aws's programs name it.
const PULUMI_PLUGIN: &str = "pulumi-resource-aws";

#[derive(Parser)]
#[command(
    about = "Writes the component, the Terraform provider, the Pulumi plugin and the Ansible collection into one folder, with SHA256SUMS"
)]
struct Args {
    /// The folder to write (made if missing; what an earlier run wrote there is replaced)
    #[arg(long, value_name = "DIR", default_value = "dist")]
    out: PathBuf,
    /// Where the built binaries are (lightsail-provider, terraform-provider-lightsail,
    /// pulumi-resource-aws); without it they are built with `cargo build --release --locked`
    #[arg(long, value_name = "DIR")]
    binaries: Option<PathBuf>,
    /// The GnuPG key (as `gpg --local-user` takes it) that signs the Terraform provider's SHA256SUMS
    #[arg(long, value_name = "KEY")]
    sign: Option<String>,
    /// The ansible-galaxy that packs the collection [default: the venv's, else from PATH]
    #[arg(long, value_name = "PATH")]
    ansible_galaxy: Option<PathBuf>,
    /// The Python (with pip and setuptools, as adapters/python/requirements.txt pins them) that
    /// builds the wheel [default: the venv's, else python3 from PATH]
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// The npm that packs the JavaScript host (its jco comes from `npm ci` in adapters/js)
    #[arg(long, value_name = "PATH", default_value = "npm")]
    npm: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    let binaries = match &args.binaries {
        Some(dir) => dir.clone(),
        None => build_release(&workspace)?,
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot make {}", args.out.display()))?;
    let out = args.out.canonicalize()?;
    let platform = platform();

    // The component, from the CLI that carries it; every binary must carry the same one.
    let wasm = out.join("provider.wasm");
    run(Command::new(binaries.join("lightsail-provider")).args(["component", "--out"]).arg(&wasm))?;
    let digest = sha256_hex(&std::fs::read(&wasm)?);
    std::fs::write(out.join("provider.wasm.sha256"), format!("{digest}  provider.wasm\n"))?;
    let mut version = None;
    for binary in ["lightsail-provider", "terraform-provider-lightsail", PULUMI_PLUGIN] {
        let said = run(Command::new(binaries.join(binary)).arg("--version"))?;
        ensure!(
            said.contains(&format!("(component sha256:{digest})")),
            "{binary} carries another component than provider.wasm (sha256:{digest}): {said}"
        );
        version.get_or_insert_with(|| said.split_whitespace().nth(1).unwrap_or_default().to_string());
    }
    let version = version.unwrap_or_default();

    let terraform = terraform(&out, &binaries, &version, &platform, args.sign.as_deref())?;
    let pulumi = executable_tarball(&out, &binaries, PULUMI_PLUGIN, &version, &platform)?;
    let cli = executable_tarball(&out, &binaries, "lightsail-provider", &version, &platform)?;
    let npm = npm_package(&workspace, &out, &wasm, &args.npm)?;
    let python = args.python.unwrap_or_else(|| python_tool(&workspace, "python", "python3"));
    let wheel = python_wheel(&workspace, &out, &wasm, &python)?;
    let galaxy = args.ansible_galaxy.unwrap_or_else(|| python_tool(&workspace, "ansible-galaxy", "ansible-galaxy"));
    let collection = ansible(&workspace, &out, &wasm, &galaxy)?;

    let mut files = vec![PathBuf::from("provider.wasm")];
    files.extend(terraform);
    files.extend([pulumi, cli, npm, wheel, collection]);
    let mut sums = String::new();
    for file in &files {
        sums.push_str(&format!("{}  {}\n", sha256_hex(&std::fs::read(out.join(file))?), file.display()));
    }
    std::fs::write(out.join("SHA256SUMS"), &sums)?;
    print!("{sums}");
    Ok(())
}

/// Builds the binaries in release and answers where they are.
fn build_release(workspace: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let packages = ["lightsail-provider", "terraform-provider-lightsail", "pulumi-provider-lightsail"];
    let mut command = Command::new(cargo);
    command.current_dir(workspace).args(["build", "--release", "--locked"]);
    for package in packages {
        command.args(["-p", package]);
    }
    ensure!(command.status()?.success(), "cargo build --release failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from);
    Ok(target.join("release"))
}

/// The Terraform provider as the registry protocol serves it, and a mirror of it. Answers the
/// files SHA256SUMS lists.
fn terraform(
    out: &Path,
    binaries: &Path,
    version: &str,
    platform: &str,
    sign: Option<&str>,
) -> anyhow::Result<Vec<PathBuf>> {
    let name = format!("terraform-provider-{TERRAFORM_TYPE}");
    let zip_name = format!("{name}_{version}_{platform}.zip");
    let binary = std::fs::read(binaries.join("terraform-provider-lightsail"))?;
    let zipped = stored_zip(&format!("{name}_v{version}"), &binary)?;
    std::fs::write(out.join(&zip_name), &zipped)?;
    let zip_digest = sha256_hex(&zipped);
    let sums_name = format!("{name}_{version}_SHA256SUMS");
    std::fs::write(out.join(&sums_name), format!("{zip_digest}  {zip_name}\n"))?;
    let mut files = vec![PathBuf::from(&zip_name), PathBuf::from(&sums_name)];
    if let Some(key) = sign {
        let signature = format!("{sums_name}.sig");
        let _ = std::fs::remove_file(out.join(&signature));
        run(Command::new("gpg")
            .args(["--batch", "--yes", "--local-user", key, "--detach-sign", "--output"])
            .arg(out.join(&signature))
            .arg(out.join(&sums_name)))?;
        files.push(PathBuf::from(signature));
    }
    // One folder Terraform reads as a filesystem mirror's packed layout, and as a network
    // mirror's `index.json` and `VERSION.json` once served over HTTPS.
    let mirror = out.join("terraform-mirror").join(TERRAFORM_SOURCE);
    std::fs::create_dir_all(&mirror)?;
    std::fs::write(mirror.join(&zip_name), &zipped)?;
    let index = serde_json::json!({ "versions": { version: {} } });
    let archives =
        serde_json::json!({ "archives": { platform: { "url": zip_name, "hashes": [format!("zh:{zip_digest}")] } } });
    std::fs::write(mirror.join("index.json"), serde_json::to_string_pretty(&index)? + "\n")?;
    std::fs::write(mirror.join(format!("{version}.json")), serde_json::to_string_pretty(&archives)? + "\n")?;
    Ok(files)
}

/// A zip of one executable, stored, with the zip format's earliest time: the same bytes each run.
fn stored_zip(name: &str, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o755)
        .last_modified_time(zip::DateTime::default());
    zip.start_file(name, options)?;
    zip.write_all(bytes)?;
    Ok(zip.finish()?.into_inner())
}

/// A binary alone in a gzipped tarball, `NAME-vVERSION-OS-ARCH.tar.gz`: how `pulumi plugin install`
/// takes a plugin, and how the CLI ships too.
fn executable_tarball(
    out: &Path,
    binaries: &Path,
    executable: &str,
    version: &str,
    platform: &str,
) -> anyhow::Result<PathBuf> {
    let name = format!("{executable}-v{version}-{}.tar.gz", platform.replace('_', "-"));
    let binary = std::fs::read(binaries.join(executable))?;
    let gzip = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
    let mut tarball = tar::Builder::new(gzip);
    let mut header = tar::Header::new_gnu();
    header.set_size(binary.len() as u64);
    header.set_mode(0o755);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    tarball.append_data(&mut header, executable, binary.as_slice())?;
    std::fs::write(out.join(&name), tarball.into_inner()?.finish()?)?;
    Ok(PathBuf::from(name))
}

/// The JavaScript host as `npm pack` packs it, with the component and what jco makes of it
/// (`generated/`), and its lock file as `npm-shrinkwrap.json`, so that an install gets the
/// dependency versions it was tested with.
fn npm_package(workspace: &Path, out: &Path, wasm: &Path, npm: &Path) -> anyhow::Result<PathBuf> {
    let js = workspace.join("adapters/js");
    let stage = tempfile::tempdir()?;
    for file in ["package.json", "README.md"] {
        std::fs::copy(js.join(file), stage.path().join(file))?;
    }
    std::fs::copy(js.join("package-lock.json"), stage.path().join("npm-shrinkwrap.json"))?;
    copy_tree(&js.join("src"), &stage.path().join("src"))?;
    std::fs::copy(wasm, stage.path().join("provider.wasm"))?;
    run(Command::new(js.join("scripts/transpile.sh"))
        .arg(stage.path().join("provider.wasm"))
        .arg(stage.path().join("generated")))
    .context("jco cannot transpile the component: run `npm ci` in adapters/js first")?;
    remove_old(out, "lightsail-wasm-provider-", ".tgz")?;
    let printed =
        run(Command::new(npm).current_dir(stage.path()).args(["pack", "--silent", "--pack-destination"]).arg(out))?;
    match printed.lines().last() {
        Some(name) if out.join(name.trim()).is_file() => Ok(PathBuf::from(name.trim())),
        _ => bail!("npm pack printed no package: {printed}"),
    }
}

/// The Python host as a wheel with the component inside, built by setuptools from
/// adapters/python/pyproject.toml.
fn python_wheel(workspace: &Path, out: &Path, wasm: &Path, python: &Path) -> anyhow::Result<PathBuf> {
    let host = workspace.join("adapters/python");
    let stage = tempfile::tempdir()?;
    for file in ["pyproject.toml", "README.md"] {
        std::fs::copy(host.join(file), stage.path().join(file))?;
    }
    copy_tree(&host.join("lightsail_wasm"), &stage.path().join("lightsail_wasm"))?;
    std::fs::copy(wasm, stage.path().join("lightsail_wasm/provider.wasm"))?;
    remove_old(out, "lightsail_wasm-", ".whl")?;
    run(Command::new(python)
        .args(["-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"])
        .arg("--wheel-dir")
        .arg(out)
        .arg(stage.path())
        // setuptools stamps the wheel's entries with this time, not the build's.
        .env("SOURCE_DATE_EPOCH", "315532800"))?;
    found(out, "lightsail_wasm-", ".whl")
}

/// The Ansible collection, packed by its build script with the component inside.
fn ansible(workspace: &Path, out: &Path, wasm: &Path, galaxy: &Path) -> anyhow::Result<PathBuf> {
    remove_old(out, "lightsail_wasm-lightsail-", ".tar.gz")?;
    let printed = run(Command::new(workspace.join("adapters/ansible/build.sh")).arg(wasm).arg(out).arg(galaxy))?;
    let tarball = PathBuf::from(printed.trim());
    match tarball.file_name() {
        Some(name) => Ok(PathBuf::from(name)),
        None => bail!("adapters/ansible/build.sh printed no tarball: {printed}"),
    }
}

/// A program of the venv `.ci/run` makes (`target/python-host`, adapters/python/requirements.txt
/// installed: the pinned setuptools and ansible-core), or `otherwise` from PATH.
fn python_tool(workspace: &Path, name: &str, otherwise: &str) -> PathBuf {
    let venv = workspace.join("target/python-host/bin").join(name);
    if venv.is_file() { venv } else { PathBuf::from(otherwise) }
}

/// Removes what an earlier run wrote under a name `prefix…suffix` (and nothing else: the wheel
/// and the collection share a prefix).
fn remove_old(out: &Path, prefix: &str, suffix: &str) -> anyhow::Result<()> {
    for old in std::fs::read_dir(out)? {
        let old = old?.path();
        let name = old.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with(prefix) && name.ends_with(suffix) {
            std::fs::remove_file(old)?;
        }
    }
    Ok(())
}

/// The one file in `out` named `prefix…suffix`.
fn found(out: &Path, prefix: &str, suffix: &str) -> anyhow::Result<PathBuf> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(suffix) {
            names.push(PathBuf::from(name));
        }
    }
    match names.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!("expected one {prefix}*{suffix} in {}, found {names:?}", out.display()),
    }
}

/// Copies a folder of sources, leaving out Python's caches.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// Terraform's name of this platform (`linux_amd64`).
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// Runs `command`; its standard output, or an error with its standard error.
fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command.output().with_context(|| format!("cannot run {:?}", command.get_program()))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    ensure!(
        output.status.success(),
        "{:?} failed: {}{}",
        command.get_program(),
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
