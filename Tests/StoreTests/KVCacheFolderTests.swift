// The kv folder as a whole: its snapshots listed least recently used first with their sizes, eviction down to a
// byte budget (the snapshot just written last), a touch that makes a restored one recent, emptying it, and files
// that are not snapshots (temp files, FIFOs, links) left alone.
import XCTest
import Foundation
@testable import Store

final class KVCacheFolderTests: XCTestCase {
    var dir = ""
    var store: SessionStore!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "glmchat-kvdir-\(UUID().uuidString)"
        store = SessionStore(directory: dir)
        try FileManager.default.createDirectory(atPath: store.kvDirectory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A snapshot file of `bytes` bytes last used `age` seconds ago.
    func snapshot(_ id: String, bytes: Int, age: Double) throws {
        let path = store.kvSnapshotPath(for: id)
        try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: path))
        let t = Date().addingTimeInterval(-age)
        try FileManager.default.setAttributes([.modificationDate: t], ofItemAtPath: path)
    }

    func exists(_ id: String) -> Bool { FileManager.default.fileExists(atPath: store.kvSnapshotPath(for: id)) }

    func testFilesAreListedLeastRecentlyUsedFirstWithTheirSizes() throws {
        try snapshot("new", bytes: 300, age: 10)
        try snapshot("old", bytes: 100, age: 1000)
        try snapshot("mid", bytes: 200, age: 100)
        XCTAssertEqual(store.kvCacheFiles().map(\.id), ["old", "mid", "new"])
        XCTAssertEqual(store.kvCacheFiles().map(\.bytes), [100, 200, 300])
        XCTAssertEqual(store.kvCacheBytes(for: "mid"), 200)
        XCTAssertEqual(store.kvCacheBytes(for: "none"), 0)
        store.touchKVCache(for: "old")
        XCTAssertEqual(store.kvCacheFiles().map(\.id), ["mid", "new", "old"])
    }

    func testEvictionDeletesTheLeastRecentlyUsedUntilTheFolderFits() throws {
        try snapshot("a", bytes: 100, age: 400)
        try snapshot("b", bytes: 100, age: 300)
        try snapshot("c", bytes: 100, age: 200)
        try snapshot("d", bytes: 100, age: 100)
        // The one just written ("a", the oldest by time) is kept while others can go.
        let removed = store.evictKVCache(toFit: 250, keep: "a")
        XCTAssertEqual(removed.map(\.id), ["b", "c"])
        XCTAssertTrue(exists("a") && exists("d"))
        XCTAssertEqual(store.evictKVCache(toFit: 250, keep: "a"), [])
        // Alone over the budget, it goes too.
        XCTAssertEqual(store.evictKVCache(toFit: 50, keep: "a").map(\.id), ["d", "a"])
        XCTAssertEqual(store.kvCacheFiles(), [])
    }

    func testEmptyingLeavesFilesThatAreNotSnapshots() throws {
        try snapshot("a", bytes: 10, age: 0)
        try snapshot("b", bytes: 20, age: 0)
        let temp = store.kvDirectory + "/.c.kv.12345.ab.tmp"
        try Data([1]).write(to: URL(fileURLWithPath: temp))
        XCTAssertEqual(mkfifo(store.kvDirectory + "/fifo.kv", 0o600), 0)
        let outside = dir + "/keep.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: store.kvDirectory + "/link.kv", withDestinationPath: outside)
        XCTAssertEqual(store.kvCacheFiles().map(\.id).sorted(), ["a", "b"])
        XCTAssertEqual(store.removeKVCache().map(\.bytes).reduce(0, +), 30)
        XCTAssertEqual(store.kvCacheFiles(), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: temp))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside))
        XCTAssertEqual(store.kvCacheBytes(for: "link"), 0, "a link is not followed")
    }

    func testTheDefaultBudgetIsATenthOfTheFreeSpaceAtMost20GB() throws {
        var fs = statvfs()
        XCTAssertEqual(statvfs(store.kvDirectory, &fs), 0)
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let budget = store.defaultKVCacheBudget()
        XCTAssertLessThanOrEqual(budget, SessionStore.maxDefaultKVCacheBudget)
        // Free space moves while other tests write; a tenth of it within 1 %.
        XCTAssertEqual(Double(budget), Double(min(free / 10, SessionStore.maxDefaultKVCacheBudget)), accuracy: Double(free) / 1000 + 1)
    }
}
