//! A child process's end of a TCP connection, read from outside it with `pidfd_getfd` (Linux 5.6
//! and later): the adapters' tests check the socket options their plugins accept engines with.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

/// Whether the socket on which process `pid` accepted `connection`, an HTTP/2 (gRPC) connection,
/// has TCP_NODELAY once the process serves on it. A server may set the option just after `accept`,
/// so the socket is read only after the server's first answer (its HTTP/2 SETTINGS) has come.
pub fn accepted_with_tcp_nodelay(pid: u32, connection: &TcpStream) -> bool {
    served(connection);
    let accepted = accepted_socket(pid, connection.local_addr().expect("a connected socket"));
    let mut on: libc::c_int = 0;
    let mut length = size_of_val(&on) as libc::socklen_t;
    // SAFETY: getsockopt writes at most `length` bytes into `on`.
    let asked = unsafe {
        libc::getsockopt(accepted.as_raw_fd(), libc::IPPROTO_TCP, libc::TCP_NODELAY, (&raw mut on).cast(), &mut length)
    };
    assert_eq!(asked, 0, "getsockopt: {}", std::io::Error::last_os_error());
    on != 0
}

/// Sends HTTP/2's connection preface and waits for the first bytes of the server's answer.
fn served(mut connection: &TcpStream) {
    const PREFACE_AND_EMPTY_SETTINGS: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
    connection.set_read_timeout(Some(Duration::from_secs(60))).expect("a read timeout");
    connection.write_all(PREFACE_AND_EMPTY_SETTINGS).expect("the preface is sent");
    let mut first = [0u8; 1];
    let read = connection.read(&mut first).expect("the server answers the preface");
    assert_eq!(read, 1, "the server closed the connection instead of answering");
}

/// A copy of the descriptor of process `pid` whose peer is `peer`.
fn accepted_socket(pid: u32, peer: SocketAddr) -> OwnedFd {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor, owned here.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    assert!(pidfd >= 0, "pidfd_open: {}", std::io::Error::last_os_error());
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as RawFd) };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        for target in 0..256 {
            // SAFETY: pidfd_getfd copies descriptor `target` of the process into a new one, owned here.
            let copy = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), target, 0) };
            if copy < 0 {
                let error = std::io::Error::last_os_error();
                assert_eq!(error.raw_os_error(), Some(libc::EBADF), "pidfd_getfd: {error}");
                continue;
            }
            let copy = unsafe { OwnedFd::from_raw_fd(copy as RawFd) };
            if peer_of(copy.as_raw_fd()) == Some(peer) {
                return copy;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("process {pid} did not accept the connection from {peer}");
}

fn peer_of(fd: RawFd) -> Option<SocketAddr> {
    // SAFETY: an all-zero sockaddr_in is a valid value of it.
    let mut address: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut length = size_of_val(&address) as libc::socklen_t;
    // SAFETY: getpeername writes at most `length` bytes into `address`.
    if unsafe { libc::getpeername(fd, (&raw mut address).cast(), &mut length) } != 0
        || address.sin_family as libc::c_int != libc::AF_INET
    {
        return None;
    }
    let ip = std::net::Ipv4Addr::from(u32::from_be(address.sin_addr.s_addr));
    Some(SocketAddr::from((ip, u16::from_be(address.sin_port))))
}
