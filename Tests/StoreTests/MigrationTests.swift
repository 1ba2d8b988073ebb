// Version migrations: explicit steps applied in order, refused gaps, and a backup before an old file is rewritten.
import Chat
import Foundation
import XCTest
@testable import Store

final class MigrationTests: XCTestCase {
    /// A pretend history: version 1 files called the message text "body"; version 2 kept "workspace" at the
    /// top level; version 3 has it under "settings".
    static let v1File = """
    {"format": "glmchat.session", "version": 1, "id": "old", "created": "2026-01-02T03:04:05.000Z",
     "workspace": "/proj", "messages": [{"id": "u", "role": "user", "body": "hello from v1", "x_note": 1}]}
    """

    static let renameBody = Migration(from: 1) { doc in
        var d = doc
        let msgs = (doc["messages"]?.arrayValue ?? []).map { m -> JSONValue in
            guard case .object(let kv) = m else { return m }
            return .object(kv.map { $0.0 == "body" ? ("content", $0.1) : $0 })
        }
        d.set("messages", .array(msgs))
        return d
    }
    static let moveWorkspace = Migration(from: 2) { doc in
        guard doc["version"] == .int(2) else { throw MigrationOrderError() }   // steps see the version they migrate from
        guard case .object(let kv) = doc else { return doc }
        var d = JSONValue.object(kv.filter { $0.0 != "workspace" })
        var settings = doc["settings"] ?? .object([])
        if let w = doc["workspace"] { settings.set("workspace", w) }
        d.set("settings", settings)
        return d
    }
    struct MigrationOrderError: Error {}

    let v3 = SessionCodec(version: 3, migrations: [moveWorkspace, renameBody])   // order in the list does not matter

    func testStepsRunInOrderUpToTheCurrentVersion() throws {
        let s = try v3.decode(Array(Self.v1File.utf8), id: "old").get()
        XCTAssertEqual(s.messages.map(\.content), ["hello from v1"])
        XCTAssertEqual(s.settings.workspace, "/proj")
        let out = try JSONValue.parse(v3.encode(s))
        XCTAssertEqual(out["version"], .int(3))
        XCTAssertNil(out["workspace"])
        XCTAssertEqual(out["messages"]?.arrayValue?.first?["x_note"], .int(1), "unknown fields survive migration")
        XCTAssertNil(out["messages"]?.arrayValue?.first?["body"])
    }

    func testAGapOrAFailingStepMarksTheFileDamaged() {
        let gap = SessionCodec(version: 3, migrations: [Self.renameBody])
        XCTAssertEqual(gap.decode(Array(Self.v1File.utf8), id: "old").failure, .unsupportedVersion("2"))
        let failing = SessionCodec(version: 2, migrations: [Migration(from: 1) { _ in throw MigrationOrderError() }])
        guard case .invalidContent(let why)? = failing.decode(Array(Self.v1File.utf8), id: "old").failure else { return XCTFail() }
        XCTAssertTrue(why.hasPrefix("migration from version 1: "), why)
        // This build: version 1 is current, so the same file reads as is (its "body" is an unknown field).
        XCTAssertEqual(SessionCodec.current.version, 1)
        let s = SessionCodec.current.decode(Array(Self.v1File.utf8), id: "old")
        XCTAssertEqual(try s.get().messages.map(\.content), [""])
    }

    func testAnOldFileIsBackedUpBeforeItsFirstRewrite() throws {
        let dir = try makeTempDir()
        let original = Data(Self.v1File.utf8)
        try original.write(to: URL(fileURLWithPath: "\(dir)/old.json"))
        let store = SessionStore(directory: dir, codec: v3)
        XCTAssertNil(store.list().first?.damage)
        XCTAssertEqual(store.list().first?.title, "hello from v1")

        let ro = try store.open("old", readOnly: true)   // reading never writes
        try ro.close()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != SessionIndex.name }, ["old.json"])

        let s = try store.open("old")
        try s.append(.assistant("hi from v3"))
        try s.append(.user("again"))
        try s.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/backup/old.v1.json")), original)
        XCTAssertEqual(try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: "\(dir)/old.json"))))["version"], .int(3))
        XCTAssertEqual(try store.load("old").messages.map(\.content), ["hello from v1", "hi from v3", "again"])
        // A build that reads only version 1 now sees a newer file and leaves it alone.
        XCTAssertEqual(SessionStore(directory: dir).list().first?.damage, .newerVersion(3))
    }
}

extension Result {
    var failure: Failure? { if case .failure(let f) = self { return f }; return nil }
}
