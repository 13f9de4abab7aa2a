//! Who may use the socket: the file's mode and group, and the optional `allowed_uids` /
//! `allowed_gids` lists checked against the kernel's word on the peer.
//!
//! The two system calls std and tokio do not wrap (the peer's supplementary groups, a group's
//! id from its name) are the crate's only `unsafe` code; each call is a few lines with its
//! safety argument above it.

use std::ffi::CString;
use std::io;
use std::os::fd::AsRawFd;

use super::handler::Peer;

/// The allow lists; both empty lets in everyone the file's mode lets in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// `server.allowed_uids`.
    pub uids: Vec<u32>,
    /// `server.allowed_gids`: matched against the peer's primary and supplementary groups.
    pub gids: Vec<u32>,
}

impl Access {
    /// Whether anyone is checked at all.
    pub fn is_open(&self) -> bool {
        self.uids.is_empty() && self.gids.is_empty()
    }

    /// Whether `peer`, whose supplementary groups `groups` returns, may use the socket.
    /// `groups` is called only when the uid and primary gid did not decide.
    pub fn permits(&self, peer: &Peer, groups: impl FnOnce() -> Vec<u32>) -> bool {
        self.is_open()
            || self.uids.contains(&peer.uid)
            || self.gids.contains(&peer.gid)
            || (!self.gids.is_empty() && groups().iter().any(|gid| self.gids.contains(gid)))
    }
}

/// The supplementary groups the peer of `socket` had when it connected (`SO_PEERGROUPS`,
/// Linux 4.13 and later). Empty where the kernel cannot tell.
pub fn peer_groups(socket: &impl AsRawFd) -> Vec<u32> {
    imp::peer_groups(socket.as_raw_fd()).unwrap_or_default()
}

/// The id of the group called `name` (through NSS, as `getent group` finds it); `None` if
/// there is no such group.
#[allow(unsafe_code)]
pub fn group_id(name: &str) -> io::Result<Option<u32>> {
    let name = CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a group name has no NUL"))?;
    let mut buffer = vec![0 as libc::c_char; 1024];
    loop {
        let mut group = std::mem::MaybeUninit::<libc::group>::uninit();
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: `name` is a NUL-terminated string; `group` is writable storage for one
        // `struct group`; `buffer` is writable for `buffer.len()` bytes and outlives every use
        // of the strings `group` points into (we read only `gr_gid`); `result` is writable.
        let rc = unsafe {
            libc::getgrnam_r(
                name.as_ptr(),
                group.as_mut_ptr(),
                buffer.as_mut_ptr(),
                buffer.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if result.is_null() {
            return Ok(None);
        }
        // SAFETY: getgrnam_r returned 0 with `result` non-null, so it filled in `group`.
        return Ok(Some(unsafe { group.assume_init() }.gr_gid));
    }
}

// SO_PEERGROUPS is 59 in the kernel's generic socket options, which these architectures use;
// libc does not export it.
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "powerpc64",
        target_arch = "s390x"
    )
))]
mod imp {
    use std::io;
    use std::os::fd::RawFd;

    const SO_PEERGROUPS: libc::c_int = 59;

    #[allow(unsafe_code)]
    pub(super) fn peer_groups(fd: RawFd) -> io::Result<Vec<u32>> {
        const GID: usize = size_of::<libc::gid_t>();
        let mut groups: Vec<libc::gid_t> = vec![0; 32];
        loop {
            let mut len = (groups.len() * GID) as libc::socklen_t;
            // SAFETY: `groups` is writable for `len` bytes and `len` is a valid socklen_t; the
            // kernel writes at most `len` bytes and stores the length it wrote (or, with
            // ERANGE, the length it needs) in `len`.
            let rc = unsafe {
                libc::getsockopt(
                    fd,
                    libc::SOL_SOCKET,
                    SO_PEERGROUPS,
                    groups.as_mut_ptr().cast(),
                    &mut len,
                )
            };
            if rc == 0 {
                groups.truncate(len as usize / GID);
                return Ok(groups);
            }
            let error = io::Error::last_os_error();
            let needed = len as usize / GID;
            if error.raw_os_error() == Some(libc::ERANGE) && needed > groups.len() {
                groups.resize(needed, 0);
                continue;
            }
            return Err(error);
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "powerpc64",
        target_arch = "s390x"
    )
)))]
mod imp {
    use std::io;
    use std::os::fd::RawFd;

    /// Only the primary group is checked here.
    pub(super) fn peer_groups(_fd: RawFd) -> io::Result<Vec<u32>> {
        Ok(Vec::new())
    }
}
