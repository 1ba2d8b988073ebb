// Files named on the command line (-f, --conversation, --tools, a history or import file): read whole only when they
// are regular files, so a FIFO or a device named by mistake gets one sentence instead of a hang.
import Store

/// The bytes of the file at `path` (at most 256 MiB); `what` names it in the error.
func readUserFile(_ path: String, what: String) throws -> [UInt8] {
    do { return try AtomicFile.read(path, limit: 256 << 20) } catch {
        throw UserFileError(description: "Cannot read the \(what) \(path): \(error).")
    }
}

struct UserFileError: Error, CustomStringConvertible { let description: String }
