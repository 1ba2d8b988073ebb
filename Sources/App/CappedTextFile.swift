// Reads the start of a text file a user named (the instructions file, an @-attachment): a regular file only
// (never waits on a FIFO), strict UTF-8, at most `cap` bytes, cut at a line end when one is near.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum CappedTextFile {
    struct Refused: Error, CustomStringConvertible { let description: String }

    /// The text (at most `cap` bytes of it) and the file's size; `shown` names the file in the reasons.
    static func read(_ path: String, shown: String, cap: Int) throws -> (text: String, fileBytes: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Refused(description: "\(shown) cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw Refused(description: "\(shown) is not a regular file") }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: min(size, cap))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        bytes.removeLast(bytes.count - got)
        if size > got { bytes = cut(bytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Refused(description: "\(shown) is not UTF-8 text") }
        return (text, max(size, got))
    }

    /// A prefix of a file cut at the cap: at its last line end when one is within the last 2 KB, else before the
    /// last character that may be cut in two.
    static func cut(_ bytes: [UInt8]) -> [UInt8] {
        if let nl = bytes.lastIndex(of: 0x0A), bytes.count - nl <= 2048 { return Array(bytes[...nl]) }
        var end = bytes.count
        while end > 0 && bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
        if end > 0 && bytes[end - 1] >= 0xC0 { end -= 1 }
        return Array(bytes[..<end])
    }
}
