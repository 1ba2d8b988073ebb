// kill -9 at random moments while a child appends messages and streams partial replies: nothing completed is lost.
#if canImport(Glibc)
import Glibc
#endif
import Chat
import Foundation
import TestSupport
import XCTest
@testable import Store

final class CrashTests: XCTestCase {
    /// 100 kills: 10 sessions, each resumed by 10 successive children (so every child also opens a file
    /// its killed predecessor was writing, and takes the lock the killed one held).
    func testKillNineAtRandomMomentsLosesNothingCompleted() throws {
        let dir = try makeTempDir()
        let store = SessionStore(directory: dir)
        var rng = SplitMix(seed: 0x5EED)
        var killedMidWrite = 0, endedPartial = 0, runs = 0, startup = 0.0
        for _ in 0..<10 {
            let created = try store.create()
            let id = created.id
            try created.close()
            for _ in 0..<10 {
                runs += 1
                let started = Date()
                // One child in four fsyncs like the real program: its writes are slow, so its kills land inside them.
                let child = try ChildProcess(mode: "crash", environment: ["GLMCHAT_STORE_DIR": dir, "GLMCHAT_STORE_ID": id,
                                                                          "GLMCHAT_STORE_SYNC": runs % 4 == 0 ? "1" : "0"])
                while let line = child.readLine(), line != "R" {
                    XCTAssertFalse(line.hasPrefix("E"), "child: \(line)")
                }
                startup += Date().timeIntervalSince(started)
                // A random point in the child's progress: after 0–12 confirmed writes, then 0–3 ms more (so on a
                // slow or busy machine the kills still spread over partial and complete states).
                for _ in 0..<(rng.next() % 13) { _ = child.readLine() }
                usleep(UInt32(rng.next() % 3000))
                child.kill()
                let reports = child.readRest()
                XCTAssertFalse(reports.contains { $0.hasPrefix("E") }, "child: \(reports.filter { $0.hasPrefix("E") })")
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".\(id).json.") && $0.hasSuffix(".tmp") }
                if !leftovers.isEmpty { killedMidWrite += 1 }
                if try checkFile(dir: dir, id: id, reports: reports) { endedPartial += 1 }
            }
        }
        XCTAssertEqual(runs, 100)
        print("crash test: \(runs) kills, \(killedMidWrite) left a temp file (killed mid-write), \(endedPartial) left a partial reply;"
              + " child start-up \(Int(startup * 1000)) ms in all")
    }

    /// Checks the file with Foundation's own JSON parser (independent of the store's) and with the store.
    /// Returns true when the file ends with a partial reply.
    func checkFile(dir: String, id: String, reports: [String]) throws -> Bool {
        // The state the child had confirmed on disk last: "C n" = n complete messages; "P i len" = i complete
        // messages and a partial reply of len characters.
        var confirmed = 0, partialLen: Int?
        for r in reports {
            let f = r.split(separator: " ")
            if f.first == "C", f.count == 2, let n = Int(f[1]) { confirmed = n; partialLen = nil }
            if f.first == "P", f.count == 3, let i = Int(f[1]), let l = Int(f[2]) { confirmed = i; partialLen = l }
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(id).json"))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "the file must parse")
        XCTAssertEqual(obj["format"] as? String, "glmchat.session")
        let msgs = try XCTUnwrap(obj["messages"] as? [[String: Any]])
        let complete = msgs.prefix { ($0["incomplete"] as? Bool) != true }
        XCTAssertGreaterThanOrEqual(msgs.count - complete.count, 0)
        XCTAssertLessThanOrEqual(msgs.count - complete.count, 1, "only the last message may be incomplete")
        XCTAssertGreaterThanOrEqual(complete.count, confirmed, "a message the child had saved is missing")
        for (i, m) in complete.enumerated() {
            let want = CrashScript.message(i)
            XCTAssertEqual(m["id"] as? String, want.id)
            XCTAssertEqual(m["role"] as? String, want.role.rawValue)
            XCTAssertEqual(m["content"] as? String, want.content, "message \(i)")
            XCTAssertEqual(m["reasoning_content"] as? String, want.reasoning)
        }
        var endsPartial = false
        if msgs.count > complete.count, let last = msgs.last {
            endsPartial = true
            let i = complete.count
            let want = CrashScript.message(i)
            XCTAssertEqual(want.role, .assistant)
            XCTAssertEqual(last["id"] as? String, want.id)
            let text = try XCTUnwrap(last["content"] as? String)
            XCTAssertTrue(want.content.hasPrefix(text), "the partial reply must be a prefix of the reply")
            if i == confirmed, let l = partialLen { XCTAssertGreaterThanOrEqual(text.count, l) }
        }
        // The store reads it too, with the same messages.
        let s = try SessionStore(directory: dir).load(id)
        XCTAssertEqual(s.messages.count, msgs.count)
        XCTAssertEqual(Array(s.messages.prefix(complete.count)), (0..<complete.count).map(CrashScript.message))
        return endsPartial
    }
}

/// Small seeded generator (SplitMix64) so failures repeat.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension XCTestCase {
    /// A fresh folder, removed when the test ends.
    func makeTempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("glmchat-store-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }
}
