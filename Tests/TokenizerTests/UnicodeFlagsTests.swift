// Our code point classes against llama.cpp's own table (Tests/Fixtures/tokenizer/llama-unicode-flags.tsv).
import Foundation
import XCTest
@testable import Tokenizer

final class UnicodeFlagsTests: XCTestCase {
    func testEveryCodePointMatchesLlamaCpp() throws {
        let s = try String(contentsOf: TestData.fixtures.appendingPathComponent("llama-unicode-flags.tsv"), encoding: .utf8)
        let rows = s.split(separator: "\n").map { l -> (UInt32, UInt16) in
            let f = l.split(separator: "\t")
            return (UInt32(f[0], radix: 16)!, UInt16(f[1], radix: 16)!)
        }
        XCTAssertGreaterThan(rows.count, 2000)
        var bad = 0
        for (i, r) in rows.enumerated() {
            let end = i + 1 < rows.count ? rows[i + 1].0 : UnicodeFlags.maxCodePoint
            for c in r.0..<end where UnicodeFlags.of(c) != r.1 {
                bad += 1
                if bad < 10 { XCTFail("U+\(String(c, radix: 16)): ours \(UnicodeFlags.of(c)), llama.cpp \(r.1)") }
            }
        }
        XCTAssertEqual(bad, 0)
        XCTAssertEqual(UnicodeFlags.of(0x110000), UnicodeFlags.undefined)
    }
}
