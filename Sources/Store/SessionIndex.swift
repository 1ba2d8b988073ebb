// A cache of list rows in "<dir>/.index.json", keyed by each file's inode, size and mtime, so listing
// hundreds of long conversations reads only the files that changed. Derived data: safe to delete.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Chat
import Foundation

struct FileStamp: Equatable {
    var inode: UInt64, size: Int64, mtimeNS: Int64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Glibc)
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #else
        let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #endif
        self.init(inode: UInt64(st.st_ino), size: Int64(st.st_size), mtimeNS: ns)
    }
    init(inode: UInt64, size: Int64, mtimeNS: Int64) { self.inode = inode; self.size = size; self.mtimeNS = mtimeNS }
}

enum SessionIndex {
    static let name = ".index.json"

    /// Good files only: a damaged file is read again each time (it is rare, and its reason should be current).
    /// Nil when there is no usable index.
    static func load(_ dir: String) -> [String: (FileStamp, SessionSummary)]? {
        guard let bytes = try? AtomicFile.read("\(dir)/\(name)"), let doc = try? JSONValue.parse(bytes),
              doc["version"] == .int(1), case .object(let entries)? = doc["entries"] else { return nil }
        var out: [String: (FileStamp, SessionSummary)] = [:]
        for (id, e) in entries {
            guard let ino = e["inode"]?.intValue, let size = e["size"]?.intValue, let mt = e["mtime_ns"]?.intValue,
                  let title = e["title"]?.stringValue, let count = e["messages"]?.intValue,
                  let updated = e["updated"]?.stringValue.flatMap(ISODate.parse) else { continue }
            let row = SessionSummary(id: id, path: "\(dir)/\(id).json", title: title, firstUserLine: e["first_user_line"]?.stringValue,
                                     messageCount: count, model: e["model"]?.stringValue,
                                     created: e["created"]?.stringValue.flatMap(ISODate.parse), updated: updated,
                                     incomplete: e["incomplete"]?.boolValue ?? false, damage: nil, forkedFrom: e["forked_from"]?.stringValue)
            out[id] = (FileStamp(inode: UInt64(bitPattern: Int64(ino)), size: Int64(size), mtimeNS: Int64(mt)), row)
        }
        return out
    }

    /// Best effort: a read-only folder just means no cache.
    static func save(_ dir: String, _ entries: [String: (FileStamp, SessionSummary)]) {
        var kv: [(String, JSONValue)] = []
        for (id, (stamp, r)) in entries.sorted(by: { $0.key < $1.key }) {
            var e: [(String, JSONValue)] = [
                ("inode", .int(Int(Int64(bitPattern: stamp.inode)))), ("size", .int(Int(stamp.size))), ("mtime_ns", .int(Int(stamp.mtimeNS))),
                ("title", .string(r.title)), ("messages", .int(r.messageCount)), ("updated", .string(ISODate.format(r.updated))),
            ]
            if let c = r.created { e.append(("created", .string(ISODate.format(c)))) }
            if let f = r.firstUserLine { e.append(("first_user_line", .string(f))) }
            if let m = r.model { e.append(("model", .string(m))) }
            if r.incomplete { e.append(("incomplete", .bool(true))) }
            if let f = r.forkedFrom { e.append(("forked_from", .string(f))) }
            kv.append((id, .object(e)))
        }
        let doc = JSONValue.object([("version", .int(1)), ("entries", .object(kv))])
        try? AtomicFile.write(Array(doc.serialized(.compact).utf8), to: "\(dir)/\(name)")
    }
}
