//! The plugin launched as Terraform launches it: go-plugin's handshake on standard output, AutoMTLS
//! when Terraform passes its certificate, and a refusal when it is not Terraform that runs it.
//! (TCP_NODELAY on the accepted connections is checked where they are accepted: plugin-server.)

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};

const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

struct Plugin(Child);

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn launch(client_certificate: Option<&str>) -> (Plugin, Vec<String>) {
    launch_with(client_certificate, &[])
}

fn launch_with(client_certificate: Option<&str>, environment: &[(&str, &str)]) -> (Plugin, Vec<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"));
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .env_remove("RUST_LOG")
        .envs(environment.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(pem) = client_certificate {
        command.env("PLUGIN_CLIENT_CERT", pem);
    }
    let mut plugin = Plugin(command.spawn().unwrap());
    let mut stdout = BufReader::new(plugin.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let fields = line.trim_end().split('|').map(str::to_string).collect();
    (plugin, fields)
}

#[test]
fn the_handshake_names_protocol_6_and_a_listening_address() {
    let (_plugin, fields) = launch(None);
    assert_eq!(fields[..3], ["1", "6", "tcp"], "go-plugin's handshake: {fields:?}");
    assert_eq!(fields[4..], ["grpc", ""], "no client certificate was given, so no TLS and no server certificate");
    let address: SocketAddr = fields[3].parse().unwrap();
    assert!(address.ip().is_loopback());
    TcpStream::connect(address).expect("the plugin listens where its handshake says");
}

/// AutoMTLS: with Terraform's certificate given, the line carries the plugin's own certificate,
/// base64 without padding, as DER (an ASN.1 SEQUENCE).
#[test]
fn with_terraform_s_certificate_the_handshake_carries_the_server_s() {
    let client = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap().cert.pem();
    let (_plugin, fields) = launch(Some(&client));
    assert_eq!(fields[..3], ["1", "6", "tcp"], "{fields:?}");
    assert_eq!(fields[4], "grpc");
    let certificate = &fields[5];
    assert!(!certificate.is_empty() && !certificate.ends_with('='), "{certificate}");
    // DER starts with a SEQUENCE tag (0x30), which base64 writes as "M".
    assert!(certificate.starts_with('M'), "{certificate}");
}

/// SIGTERM ends it at once and cleanly; with TF_LOG set, everything it wrote on standard error is
/// hclog's JSON lines, which go-plugin parses; without, it writes nothing.
#[test]
fn it_stops_on_sigterm_and_logs_as_terraform_reads_logs() {
    for (tf_log, expect_lines) in [(None, false), (Some("DEBUG"), true)] {
        let environment: Vec<(&str, &str)> = tf_log.map(|level| ("TF_LOG", level)).into_iter().collect();
        let (mut plugin, fields) = launch_with(None, &environment);
        assert_eq!(fields[1], "6");
        // SAFETY: kill(2) on the child this test started.
        unsafe { libc::kill(plugin.0.id() as i32, libc::SIGTERM) };
        let status = plugin.0.wait().unwrap();
        assert!(status.success(), "{status:?}");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut plugin.0.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(!stderr.is_empty(), expect_lines, "TF_LOG={tf_log:?}: {stderr}");
        for line in stderr.lines() {
            let line: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            for key in ["@level", "@message", "@timestamp"] {
                assert!(line[key].is_string(), "{key} in {line}");
            }
        }
    }
}

#[test]
fn run_by_hand_it_says_what_it_is_and_how_to_install_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"))
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Terraform starts it") && stderr.contains("mirror DIR"), "{stderr}");
}

#[test]
fn a_terraform_that_offers_only_protocol_5_is_told_which_this_speaks() {
    let output = Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"))
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("speaks plugin protocol 6"), "{stderr}");
    assert!(output.stdout.is_empty(), "no handshake");
}

/// `--version` names the component the plugin carries, by the digest coreutils computes for it.
#[test]
fn the_version_names_the_component_it_carries() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"))
        .arg("--version")
        .output()
        .unwrap();
    let digest = lightsail_test_support::component_digest_by_coreutils();
    let expected = format!("terraform-provider-lightsail {} (component {digest})\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    assert!(output.status.success());
}
