// System calls the tools need in a form Swift can reach: read(2)/write(2) by names no type member can shadow
// (FileSnapshot.read, FileReplacement.write), and two GNU calls Swift's Glibc module hides (declared only
// with _GNU_SOURCE), looked up by name once: pipe2 and posix_spawn_file_actions_addclosefrom_np.
#if canImport(Glibc)
import Glibc
func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, p, n) }
func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#else
import Darwin
func sysRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Darwin.read(fd, p, n) }
func sysWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif

#if os(Linux)
private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
private let pipe2Call = dlsym(dlopen(nil, RTLD_NOW), "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
private let addCloseFromCall = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
    .map { unsafeBitCast($0, to: AddCloseFrom.self) }
#endif

/// A pipe whose two ends are close-on-exec from the start (no other thread's spawn can inherit them).
func closeOnExecPipe() -> (read: Int32, write: Int32)? {
    var fds: [Int32] = [0, 0]
    #if os(Linux)
    if let p = pipe2Call { return p(&fds, O_CLOEXEC) == 0 ? (fds[0], fds[1]) : nil }
    #endif
    // Without pipe2 (not Linux, or an old libc): set the flag right after, which leaves a small window.
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}

/// Makes the spawned process close every descriptor from `lowest` up, whoever opened it without
/// close-on-exec (glibc 2.34 and later; elsewhere close-on-exec is all there is).
func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) {
    #if os(Linux)
    _ = addCloseFromCall?(actions, lowest)
    #endif
}
