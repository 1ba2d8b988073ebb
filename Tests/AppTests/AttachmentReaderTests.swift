// Reading @-mentioned files: inside the workspace, regular UTF-8 files, capped, at most 8; what cannot be attached
// is said in one line, a mention that names nothing stays text; the workspace's file list skips ignored files.
import XCTest
import Foundation
import Chat
@testable import App

final class AttachmentReaderTests: XCTestCase {
    func testWhatIsAttachedAndWhatIsSaid() throws {
        let base = try tempDir()
        let root = base + "/ws"
        try FileManager.default.createDirectory(atPath: root + "/src", withIntermediateDirectories: true)
        try "secret\n".write(toFile: base + "/outside.txt", atomically: true, encoding: .utf8)
        try "print(1)\n".write(toFile: root + "/src/a.swift", atomically: true, encoding: .utf8)
        try Data([0x63, 0x61, 0x66, 0xE9]).write(to: URL(fileURLWithPath: root + "/latin1.txt"))
        XCTAssertEqual(mkfifo(root + "/pipe", 0o600), 0)
        try String(repeating: "x", count: 40_000).write(toFile: root + "/big.txt", atomically: true, encoding: .utf8)
        let ws = try Workspace(root: root)
        let (files, note) = AttachmentReader.read(["src/a.swift", "nobody", "src", "../outside.txt", "latin1.txt", "pipe", "big.txt"], in: ws)
        XCTAssertEqual(files.map(\.path), ["src/a.swift", "big.txt"])
        XCTAssertEqual(files[0].text, "print(1)\n")
        XCTAssertEqual(files[1].text.utf8.count, Attachment.maxBytes)
        XCTAssertTrue(files[1].truncated)
        XCTAssertEqual(note, "not attached: @src is a folder; @../outside.txt is outside the workspace; @latin1.txt is not UTF-8 text; @pipe is not a regular file")
        let many = (0..<10).map { "f\($0).txt" }
        for f in many { try "x".write(toFile: root + "/" + f, atomically: true, encoding: .utf8) }
        let (eight, tooMany) = AttachmentReader.read(many, in: ws)
        XCTAssertEqual(eight.count, Attachment.maxFiles)
        XCTAssertEqual(tooMany, "not attached: @f8.txt: at most 8 files a message; @f9.txt: at most 8 files a message")
    }

    func testTheFileListSkipsIgnoredFiles() throws {
        let root = try tempDir()
        for d in ["src", "build", ".git"] { try FileManager.default.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true) }
        for f in ["src/a.swift", "build/out.o", ".git/config", "notes.md", "debug.log"] { try "x".write(toFile: root + "/" + f, atomically: true, encoding: .utf8) }
        try "build/\n*.log\n".write(toFile: root + "/.gitignore", atomically: true, encoding: .utf8)
        XCTAssertEqual(try Workspace(root: root).files(), [".gitignore", "notes.md", "src/a.swift"])
        XCTAssertEqual(try Workspace(root: root).files(limit: 2).count, 2)
    }
}
