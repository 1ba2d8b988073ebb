// Reads the workspace's instructions file (AGENTS.md, else .glmchat/instructions.md) for the system message:
// a regular file only (never waits on a FIFO), UTF-8 text only, at most ProjectInstructions.maxBytes of it.
import Chat
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum InstructionsFile {
    /// The first instructions file found in `workspace`; a warning for the notice line when one is there but cannot
    /// be used (then nothing is sent).
    static func load(workspace: String) -> (ProjectInstructions?, warning: String?) {
        for name in ProjectInstructions.candidates {
            let path = workspace + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            do { return (try contents(path, shown: name), nil) } catch { return (nil, "\(error)") }
        }
        return (nil, nil)
    }

    struct Refused: Error, CustomStringConvertible { let description: String }

    static func contents(_ path: String, shown: String) throws -> ProjectInstructions {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Refused(description: "\(shown) cannot be read (\(String(cString: strerror(errno)))); it is not sent to the model") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw Refused(description: "\(shown) is not a regular file; it is not sent to the model")
        }
        let size = Int(st.st_size), cap = ProjectInstructions.maxBytes
        var bytes = [UInt8](repeating: 0, count: min(size, cap))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        bytes.removeLast(bytes.count - got)
        if size > got { bytes = cut(bytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Refused(description: "\(shown) is not UTF-8 text; it is not sent to the model")
        }
        return ProjectInstructions(source: shown, text: text, fileBytes: max(size, got))
    }

    /// A prefix of a file cut at the cap: at its last line end when one is within the last 2 KB, else before the
    /// last character that may be cut in two.
    static func cut(_ bytes: [UInt8]) -> [UInt8] {
        if let nl = bytes.lastIndex(of: 0x0A), bytes.count - nl <= 2048 { return Array(bytes[...nl]) }
        var end = bytes.count
        // Back off over continuation bytes to the lead byte of the last character, and drop that character.
        while end > 0 && bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
        if end > 0 && bytes[end - 1] >= 0xC0 { end -= 1 }
        return Array(bytes[..<end])
    }
}
