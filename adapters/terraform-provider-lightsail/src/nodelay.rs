//! TCP_NODELAY on Terraform's connection.
//!
//! tf-provider 0.2.2 accepts Terraform's gRPC connection with Nagle's algorithm on, so an answer
//! written in more than one segment waits for Terraform's delayed ACK (up to 40 ms on Linux): a
//! plan of 100 keys over 50 buckets took 1.9 s, and 0.35 s with the option set. tf-provider binds
//! its listener and prints the handshake inside `serve`, with no hook between the two; but an
//! accepted socket takes its listener's TCP_NODELAY (Linux, the BSDs). So the plugin holds its
//! handshake line back until it has set the option on the listener it names: Terraform connects
//! only once it has read that line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Sends standard output through a pipe until the handshake line has passed: its listener gets
/// TCP_NODELAY first, then the line (and anything after it) goes to the real standard output.
/// Call it before `serve`; failing to set it up costs only the option.
pub fn hold_handshake() {
    if let Err(e) = redirect() {
        eprintln!("warning: cannot hold the handshake back to set TCP_NODELAY: {e}");
    }
}

fn redirect() -> std::io::Result<()> {
    let mut ends = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into `ends`; each is owned exactly once below.
    check(unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) })?;
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(ends[0]), OwnedFd::from_raw_fd(ends[1])) };
    // SAFETY: fcntl and dup2 on descriptors this process owns; the copy of standard output is owned once.
    let stdout = unsafe { OwnedFd::from_raw_fd(check(libc::fcntl(libc::STDOUT_FILENO, libc::F_DUPFD_CLOEXEC, 0))?) };
    check(unsafe { libc::dup2(writer.as_raw_fd(), libc::STDOUT_FILENO) })?;
    drop(writer);
    std::thread::spawn(move || forward(File::from(reader), stdout));
    Ok(())
}

/// Reads the handshake line, sets TCP_NODELAY on the listener it names, puts standard output back
/// and passes on the line and whatever follows it.
fn forward(reader: File, stdout: OwnedFd) {
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    // go-plugin's handshake: CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|CERT
    if let Some(port) = line.split('|').nth(3).and_then(|addr| addr.rsplit(':').next()?.parse().ok()) {
        set_on_listener(port);
    }
    // SAFETY: standard output becomes the descriptor it was; the pipe's writing end closes with it.
    unsafe { libc::dup2(stdout.as_raw_fd(), libc::STDOUT_FILENO) };
    let mut out = File::from(stdout);
    let _ = out.write_all(line.as_bytes());
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    let _ = out.write_all(&rest);
}

/// Sets TCP_NODELAY on this process's listening TCP socket bound to `port`.
fn set_on_listener(port: u16) {
    let Ok(fds) = std::fs::read_dir("/dev/fd") else { return };
    for fd in fds.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<RawFd>().ok()) {
        if listens_on(fd, port) {
            let on: libc::c_int = 1;
            // SAFETY: setsockopt reads `on` for the socket `fd`, which this process holds open.
            unsafe {
                libc::setsockopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_NODELAY,
                    (&raw const on).cast(),
                    size_of_val(&on) as _,
                )
            };
        }
    }
}

fn listens_on(fd: RawFd, port: u16) -> bool {
    let mut listening: libc::c_int = 0;
    let mut length = size_of_val(&listening) as libc::socklen_t;
    // SAFETY: getsockopt writes at most `length` bytes into `listening`; a descriptor that is not
    // a socket answers an error.
    let asked = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN, (&raw mut listening).cast(), &mut length)
    };
    if asked != 0 || listening == 0 {
        return false;
    }
    let mut address: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut length = size_of_val(&address) as libc::socklen_t;
    // SAFETY: getsockname writes at most `length` bytes into `address`.
    if unsafe { libc::getsockname(fd, (&raw mut address).cast(), &mut length) } != 0 {
        return false;
    }
    let bound = match address.ss_family as libc::c_int {
        // SAFETY: the family says which address type the storage holds.
        libc::AF_INET => unsafe { (*(&raw const address).cast::<libc::sockaddr_in>()).sin_port },
        libc::AF_INET6 => unsafe { (*(&raw const address).cast::<libc::sockaddr_in6>()).sin6_port },
        _ => return false,
    };
    u16::from_be(bound) == port
}

fn check(result: libc::c_int) -> std::io::Result<libc::c_int> {
    if result < 0 { Err(std::io::Error::last_os_error()) } else { Ok(result) }
}
