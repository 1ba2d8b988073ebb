// Unreadable, truncated, foreign, newer-version and invalid files: listed with the reason, refused, never touched.
#if canImport(Glibc)
import Glibc
#endif
import Chat
import Foundation
import XCTest
@testable import Store

final class DamagedFileTests: XCTestCase {
    static let good = """
    {"format": "glmchat.session", "version": 1, "id": "x", "title": "t", "created": "2026-01-02T03:04:05.000Z",
     "updated": "2026-01-02T03:04:05.000Z", "settings": {}, "messages": [{"id": "a", "role": "user", "content": "hi"}]}
    """

    /// (file name, bytes, expected reason; nil = check only that it is invalid JSON)
    static var cases: [(String, [UInt8], DamageReason?)] {
        let good = Array(Self.good.utf8)
        return [
            ("truncated", Array(good.prefix(good.count / 2)), nil),
            ("cut1", Array(good.dropLast(1)), nil),
            ("empty", [], .empty),
            ("blank", Array("  \n".utf8), .empty),
            ("binary", [0x00, 0xFF, 0xFE, 0x7B, 0x80, 0x01], nil),
            ("foreign", Array(#"{"name": "some-package", "version": "1.0.0"}"#.utf8), .notASession),
            ("array", Array("[1, 2, 3]".utf8), .notASession),
            ("otherformat", Array(#"{"format": "other.app", "version": 1, "messages": []}"#.utf8), .notASession),
            ("newer", Array(Self.good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 7").utf8), .newerVersion(7)),
            ("stringversion", Array(Self.good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": \"1\"").utf8), .unsupportedVersion("\"1\"")),
            ("zeroversion", Array(Self.good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 0").utf8), .unsupportedVersion("0")),
            ("noversion", Array(Self.good.replacingOccurrences(of: "\"version\": 1, ", with: "").utf8), .unsupportedVersion("(missing)")),
            ("badrole", Array(Self.good.replacingOccurrences(of: "\"role\": \"user\"", with: "\"role\": 42").utf8),
             .invalidContent("messages[0].role: expected a string, found a number")),
            ("norole", Array(Self.good.replacingOccurrences(of: "\"role\": \"user\", ", with: "").utf8),
             .invalidContent("messages[0].role: the field is missing")),
            ("baddate", Array(Self.good.replacingOccurrences(of: "\"created\": \"2026-01-02T03:04:05.000Z\"", with: "\"created\": \"yesterday\"").utf8),
             .invalidContent("created: \"yesterday\" is not an ISO 8601 date")),
            ("messagesobject", Array(Self.good.replacingOccurrences(of: "\"messages\": [", with: "\"messages\": {\"a\": [").replacingOccurrences(of: "}]}", with: "}]}}").utf8),
             .invalidContent("messages: expected an array")),
        ]
    }

    func snapshot(_ dir: String) throws -> [String: (Data, Date?)] {
        var out: [String: (Data, Date?)] = [:]
        // .index.json is the store's own cache of list rows, not a session file.
        for n in try FileManager.default.contentsOfDirectory(atPath: dir) where n != SessionIndex.name {
            let p = "\(dir)/\(n)"
            let attrs = try? FileManager.default.attributesOfItem(atPath: p)
            out[n] = ((try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data(), attrs?[.modificationDate] as? Date)
        }
        return out
    }

    func testDamagedFilesAreListedRefusedAndLeftByteForByte() throws {
        let dir = try makeTempDir()
        for (name, bytes, _) in Self.cases {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/\(name).json", contents: Data(bytes)))
        }
        XCTAssertEqual(symlink("loop.json", "\(dir)/loop.json"), 0)          // unreadable: a symlink to itself
        XCTAssertEqual(symlink("nowhere.txt", "\(dir)/dangling.json"), 0)    // unreadable: points to nothing
        let store = SessionStore(directory: dir)
        let ok = try store.create(messages: [.user("a good one")])
        try ok.close()
        let before = try snapshot(dir)

        let rows = store.list()
        XCTAssertEqual(rows.count, Self.cases.count + 3)
        XCTAssertEqual(rows.filter { $0.damage == nil }.map(\.id), [ok.id])
        for (name, _, want) in Self.cases {
            let row = try XCTUnwrap(rows.first { $0.id == name })
            let reason = try XCTUnwrap(row.damage, name)
            if let want { XCTAssertEqual(reason, want, name) } else {
                guard case .invalidJSON = reason else { XCTFail("\(name): \(reason)"); continue }
            }
        }
        for name in ["loop", "dangling"] {
            guard case .unreadable? = rows.first(where: { $0.id == name })?.damage else { XCTFail("\(name) should be unreadable"); continue }
        }
        XCTAssertEqual(rows.first { $0.id == "newer" }?.damage?.description,
                       "it was written by a newer glmchat (format version 7; this build reads up to 1)")

        // Every way in is refused with the reason, and nothing is written, moved or left behind.
        for name in Self.cases.map(\.0) + ["loop", "dangling"] {
            let reason = try XCTUnwrap(rows.first { $0.id == name }?.damage)
            let want = StoreError.damaged(id: name, path: store.path(for: name), reason: reason)
            XCTAssertThrowsError(try store.open(name)) { XCTAssertEqual($0 as? StoreError, want) }
            XCTAssertThrowsError(try store.open(name, readOnly: true)) { XCTAssertEqual($0 as? StoreError, want) }
            XCTAssertThrowsError(try store.load(name)) { XCTAssertEqual($0 as? StoreError, want) }
            XCTAssertThrowsError(try store.rename(name, to: "new title")) { XCTAssertEqual($0 as? StoreError, want) }
            XCTAssertThrowsError(try store.delete(name)) { XCTAssertEqual($0 as? StoreError, want) }
            XCTAssertThrowsError(try store.exportMarkdown(name)) { XCTAssertEqual($0 as? StoreError, want) }
        }
        XCTAssertEqual(store.search("hi").map(\.summary.id), [], "damaged files are skipped by search")
        XCTAssertEqual(store.search("good").map(\.summary.id), [ok.id])

        let after = try snapshot(dir)
        XCTAssertEqual(Set(after.keys), Set(before.keys), "no file may be added or removed")
        for (n, (data, mtime)) in before {
            XCTAssertEqual(after[n]?.0, data, "\(n) changed")
            XCTAssertEqual(after[n]?.1, mtime, "\(n) was rewritten")
        }
        XCTAssertEqual("\(StoreError.damaged(id: "newer", path: "/d/newer.json", reason: .newerVersion(7)))",
                       "Session newer cannot be opened because it was written by a newer glmchat (format version 7; this build reads up to 1); glmchat leaves /d/newer.json untouched")
    }
}
