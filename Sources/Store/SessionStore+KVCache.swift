// The KV cache folder (`<sessions>/kv/<id>.kv`) as a whole: its files with their sizes and last use, the
// disk budget they are kept under (least recently used evicted first), and emptying it.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One conversation's KV snapshot on disk.
public struct KVCacheFile: Sendable, Equatable {
    public var id: String
    public var path: String
    public var bytes: Int64
    /// Written or restored last at this time (the file's modification time).
    public var lastUsed: Date
}

/// A cache size as the user reads it: 7_123_456 → "7.1 MB".
public func megabytes(_ n: Int64) -> String { String(format: "%.1f MB", Double(n) / 1e6) }

extension SessionStore {
    /// The snapshots in the kv folder, least recently used first (regular `*.kv` files only; temp files skipped).
    public func kvCacheFiles() -> [KVCacheFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: kvDirectory) else { return [] }
        var out: [KVCacheFile] = []
        for n in names where n.hasSuffix(".kv") && !n.hasPrefix(".") {
            let path = kvDirectory + "/" + n
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let t = Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
            out.append(KVCacheFile(id: String(n.dropLast(3)), path: path, bytes: Int64(st.st_size), lastUsed: t))
        }
        return out.sorted { ($0.lastUsed, $0.id) < ($1.lastUsed, $1.id) }
    }

    /// Bytes of conversation `id`'s snapshot (0 when it has none).
    public func kvCacheBytes(for id: String) -> Int64 {
        var st = stat()
        guard lstat(kvSnapshotPath(for: id), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int64(st.st_size)
    }

    /// Marks `id`'s snapshot as just used, so eviction takes others first.
    public func touchKVCache(for id: String) { _ = utimes(kvSnapshotPath(for: id), nil) }

    /// The budget when the settings name none: a tenth of the free space on the sessions' disk, at most 20 GB.
    public func defaultKVCacheBudget() -> Int64 {
        var fs = statvfs()
        let folder = FileManager.default.fileExists(atPath: kvDirectory) ? kvDirectory : directory
        guard statvfs(folder, &fs) == 0 else { return Self.maxDefaultKVCacheBudget }
        // The cache's own files count as free: they are what the budget is for.
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize) + kvCacheFiles().reduce(0) { $0 + $1.bytes }
        return min(free / 10, Self.maxDefaultKVCacheBudget)
    }

    public static let maxDefaultKVCacheBudget: Int64 = 20_000_000_000

    /// Deletes the least recently used snapshots until the folder holds at most `budget` bytes; `keep` (the
    /// snapshot just written) goes last, and only if it alone is over the budget. Returns the files deleted.
    @discardableResult
    public func evictKVCache(toFit budget: Int64, keep: String? = nil) -> [KVCacheFile] {
        let files = kvCacheFiles()
        var total = files.reduce(0) { $0 + $1.bytes }
        var removed: [KVCacheFile] = []
        for f in files.filter({ $0.id != keep }) + files.filter({ $0.id == keep }) where total > budget {
            guard unlink(f.path) == 0 || errno == ENOENT else { continue }
            total -= f.bytes
            removed.append(f)
        }
        return removed
    }

    /// Empties the kv folder (`glmchat sessions prune-cache`): the files deleted.
    public func removeKVCache() -> [KVCacheFile] { evictKVCache(toFit: -1) }
}
