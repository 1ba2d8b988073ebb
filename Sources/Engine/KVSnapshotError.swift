// Why a KV snapshot cannot be used or written, each reason one plain sentence.

public enum KVSnapshotError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Which part of the file failed its checksum or structure check.
    public enum Damage: Equatable, Sendable {
        case header
        case commitRecord
        case chunkHeader(Int)
        case chunkTokens(Int)
        case chunkRows(Int)
    }

    case io(action: String, reason: String)
    case notASnapshot
    case formatVersion(Int)
    case engineVersion(found: Int, current: Int)
    case otherModel
    case cacheType(found: String, session: String)
    case cacheShape(found: String, session: String)
    case damaged(Damage)
    case truncated(size: Int, needed: Int)

    public var description: String {
        switch self {
        case .io(let action, let reason): return "could not \(action) (\(reason))."
        case .notASnapshot: return "the file is not a glmchat KV snapshot."
        case .formatVersion(let v): return "the KV snapshot has format version \(v), which this glmchat cannot read."
        case .engineVersion(let found, let current):
            return "the KV snapshot is from another engine version (\(found); this one is \(current))."
        case .otherModel: return "the KV snapshot was made for another model file."
        case .cacheType(let found, let session): return "the KV snapshot was made with \(found == "q8_0" ? "a" : "an") \(found) cache; this session keeps \(session)."
        case .cacheShape(let found, let session): return "the KV snapshot holds \(found); this session's cache holds \(session)."
        case .damaged(let d):
            switch d {
            case .header: return "the KV snapshot is damaged: checksum mismatch in its header."
            case .commitRecord: return "the KV snapshot is damaged: neither of its commit records is valid."
            case .chunkHeader(let i): return "the KV snapshot is damaged: chunk \(i)'s header is invalid."
            case .chunkTokens(let i): return "the KV snapshot is damaged: checksum mismatch in the token ids of chunk \(i)."
            case .chunkRows(let i): return "the KV snapshot is damaged: checksum mismatch in chunk \(i)."
            }
        case .truncated(let size, let needed): return "the KV snapshot is truncated: it has \(size) bytes of the \(needed) it needs."
        }
    }
}
