//! The plugin launched as Terraform launches it (go-plugin's handshake on standard output), and
//! the socket it accepts Terraform's connection on, read from the plugin's side.

use lightsail_test_support::sockets::accepted_with_tcp_nodelay;
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

/// Without TCP_NODELAY on Terraform's connection, each answer written in more than one segment
/// waits for Terraform's delayed ACK (up to 40 ms): a plan of 150 resources took five times as long.
#[test]
fn terraform_s_connection_has_tcp_nodelay_and_the_handshake_is_intact() {
    let mut plugin = Plugin(
        Command::new(env!("CARGO_BIN_EXE_terraform-provider-lightsail"))
            .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(plugin.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields[..3], ["1", "6", "tcp"], "go-plugin's handshake: {line:?}");
    assert_eq!(fields[4..], ["grpc", ""], "no client certificate was given, so no TLS and no server certificate");
    let address: SocketAddr = fields[3].parse().unwrap();

    let connection = TcpStream::connect(address).unwrap();
    assert!(
        accepted_with_tcp_nodelay(plugin.0.id(), &connection),
        "the plugin's end of Terraform's connection has TCP_NODELAY"
    );
}
