//! `lightsail-provider`: runs the provider component's lifecycle from the command line, against
//! AWS or against the built-in local endpoint.

mod cli;

fn main() -> std::process::ExitCode {
    // Printing into a closed pipe (`lightsail-provider schema | head`) ends the process quietly,
    // as other command-line tools do, instead of panicking.
    // SAFETY: called first thing, before any thread exists; resets one signal to its default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}
