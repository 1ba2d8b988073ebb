// What the child process does when the crash and lock tests re-run this binary (skipped in a normal run).
#if canImport(Glibc)
import Glibc
#endif
import Chat
import Foundation
import TestSupport
import XCTest
@testable import Store

/// The conversation the crash child writes, message by message, known in advance to the parent.
enum CrashScript {
    static let words = ["alpha", "bêta", "γάμμα", "🙂", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "naïve", "</think>", "{json}", "日本語"]

    static func text(_ i: Int, _ salt: Int, words n: Int) -> String {
        var x = UInt64(i * 7919 + salt * 104729 + 1)
        var out: [String] = []
        for _ in 0..<n {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            out.append(words[Int((x >> 33) % UInt64(words.count))])
        }
        return out.joined(separator: " ")
    }

    /// Message `i` of the script: even indices are user messages, odd ones assistant replies.
    static func message(_ i: Int) -> Message {
        if i % 2 == 0 {
            return Message(id: "m\(i)", role: .user, content: "user \(i): " + text(i, 1, words: 8 + i % 5), created: nil)
        }
        return Message(id: "m\(i)", role: .assistant, content: "reply \(i): " + text(i, 2, words: 30 + i % 17),
                       reasoning: "thinking \(i): " + text(i, 3, words: 12), finishReason: .stop, created: nil)
    }

    static let chunks = 6
    /// Partial `k` (1…chunks) of reply `i`: its content cut to k/chunks of its characters.
    static func partial(_ i: Int, _ k: Int) -> Message {
        var m = message(i)
        let full = Array(m.content)
        m.content = String(full[0..<(full.count * k / chunks)])
        m.finishReason = nil
        return m
    }
}

final class ChildEntryTests: XCTestCase {
    func testChildEntry() throws {
        let env = ProcessInfo.processInfo.environment
        guard let mode = env["GLMCHAT_STORE_CHILD"], let dir = env["GLMCHAT_STORE_DIR"], let id = env["GLMCHAT_STORE_ID"] else {
            throw XCTSkip("runs only as the child process of the crash and lock tests")
        }
        let parent = getppid()
        let deadline = Date().addingTimeInterval(20)   // never outlive a parent that forgot to kill us
        func parentGone() -> Bool { getppid() != parent || Date() > deadline }
        // Every partial is written (no throttle); no fsync, which guards against power loss, not kills (see
        // SessionStore.syncToDisk): the rename protocol under test is the same, and 100 kills stay fast.
        let store = SessionStore(directory: dir, partialInterval: 0, syncToDisk: env["GLMCHAT_STORE_SYNC"] == "1")
        let s: OpenSession
        do { s = try store.open(id) } catch {
            reportToParent("E \(error)"); exit(3)
        }
        switch mode {
        case "hold":
            reportToParent("R")
            while !parentGone() { usleep(10_000) }
        case "crash":
            var messages = s.messages
            if messages.last?.incomplete == true {   // a reply cut off by the previous kill: drop it and redo it
                messages.removeLast()
                try s.save(messages)
            }
            for (i, m) in messages.enumerated() where m != CrashScript.message(i) {
                reportToParent("E message \(i) differs from the script"); exit(4)
            }
            reportToParent("C \(messages.count)")
            reportToParent("R")
            while !parentGone() {
                let i = messages.count
                if i % 2 == 1 {
                    for k in 1...CrashScript.chunks {
                        let p = CrashScript.partial(i, k)
                        try s.savePartial(p)
                        reportToParent("P \(i) \(p.content.count)")
                    }
                }
                messages.append(CrashScript.message(i))
                if i % 2 == 0 { try s.append(messages[i]) } else { try s.save(messages) }
                reportToParent("C \(messages.count)")
            }
        default:
            reportToParent("E unknown mode \(mode)")
        }
        exit(0)
    }
}
