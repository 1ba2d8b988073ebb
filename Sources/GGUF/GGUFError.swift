// Typed errors of the GGUF reader, each a plain sentence for the user.
import Foundation

public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case notGGUF(path: String)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int, fileSize: Int)
    case invalid(String)
    case tensorOutOfBounds(name: String, end: Int, fileSize: Int)
    case missingKey(String)
    case wrongKeyType(key: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)."
        case .notGGUF(let path): return "\(path) is not a GGUF file (it does not start with the bytes \"GGUF\")."
        case .unsupportedVersion(let v): return "GGUF version \(v) is not supported (only versions 2 and 3 are)."
        case .truncated(let what, let offset, let size):
            return "the file is truncated: \(what) at byte \(offset) runs past the end of the file (\(formatBytes(size)))."
        case .invalid(let s): return s
        case .tensorOutOfBounds(let name, let end, let size):
            return "tensor \(name) ends at byte \(end), past the end of the file (\(formatBytes(size)))."
        case .missingKey(let k): return "the file has no metadata key \(k)."
        case .wrongKeyType(let k, let e, let f): return "metadata key \(k) is a \(f), expected \(e)."
        }
    }
}

/// "18.2 GB", "512 KB", "20 bytes".
public func formatBytes(_ n: Int) -> String {
    let d = Double(n)
    if d >= 1e9 { return String(format: "%.1f GB", d / 1e9) }
    if d >= 1e6 { return String(format: "%.1f MB", d / 1e6) }
    if d >= 1e3 { return String(format: "%.1f KB", d / 1e3) }
    return "\(n) bytes"
}
