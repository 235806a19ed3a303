//! `lightsail-provider`: runs the provider component's lifecycle from the command line, against
//! AWS or against the built-in local endpoint.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
