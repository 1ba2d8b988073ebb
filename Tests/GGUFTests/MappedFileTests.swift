// The file mapping: 2 MB-aligned, byte-exact, and unchanged by preferHugePages (which may drop and re-read the cache).
import Foundation
import XCTest
@testable import GGUF

final class MappedFileTests: XCTestCase {
    func testMappingIsAlignedAndExactAcrossPreferHugePages() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glmchat-mapped-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        // 33 MB + 5 bytes (odd tail) of a position-dependent pattern
        let count = 33 << 20 + 5
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        // written 4 KB at a time (the page cache then holds it in 4 KB folios) and synced (clean pages can be
        // dropped): on ext4 with large folios this takes preferHugePages' drop path
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let h = try FileHandle(forWritingTo: url)
        for start in stride(from: 0, to: count, by: 4096) { try h.write(contentsOf: bytes[start..<min(start + 4096, count)]) }
        try h.synchronize()
        try h.close()
        let m = try MappedFile(path: url.path)
        XCTAssertEqual(m.size, count)
        XCTAssertEqual(Int(bitPattern: m.bytes.baseAddress) % (2 << 20), 0)
        XCTAssertTrue(m.bytes.elementsEqual(bytes))
        let dropped = m.preferHugePages()
        XCTAssertTrue(m.bytes.elementsEqual(bytes), "the mapping reads the file's bytes after its cache was dropped (\(dropped))")
        m.preferHugePages()  // usually finds 2 MB folios now (not asserted: the kernel may fall back to 4 KB pages)
        XCTAssertTrue(m.bytes.elementsEqual(bytes))
    }
}
