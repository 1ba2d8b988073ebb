// Server-sent events framing: line endings, comments, multi-line data, pieces split anywhere.
import XCTest
@testable import Remote

final class SSEParserTests: XCTestCase {
    private func parse(_ bytes: [UInt8], cuts: [Int] = []) -> [SSEEvent] {
        var p = SSEParser()
        var out: [SSEEvent] = []
        var start = 0
        for c in cuts.sorted() + [bytes.count] where c >= start {
            out += p.feed(bytes[start..<c])
            start = c
        }
        return out + p.finish()
    }

    func testLineEndingsLFCRLFAndCRGiveTheSameEvents() {
        let expected = [SSEEvent(data: "one"), SSEEvent(type: "error", data: "two\nlines"), SSEEvent(data: "[DONE]")]
        let lf = "data: one\n\nevent: error\ndata: two\ndata: lines\n\ndata: [DONE]\n\n"
        XCTAssertEqual(parse(Array(lf.utf8)), expected)
        XCTAssertEqual(parse(Array(lf.replacingOccurrences(of: "\n", with: "\r\n").utf8)), expected)
        XCTAssertEqual(parse(Array(lf.replacingOccurrences(of: "\n", with: "\r").utf8)), expected)
    }

    func testCRLFSplitBetweenPiecesIsOneLineEnd() {
        let s = Array("data: a\r\n\r\ndata: b\r\n\r\n".utf8)
        for cut in 0...s.count {
            XCTAssertEqual(parse(s, cuts: [cut]), [SSEEvent(data: "a"), SSEEvent(data: "b")], "cut at \(cut)")
        }
    }

    func testCommentsAndUnknownFieldsAreIgnored() {
        let s = ": ping - 2026-11-23 17:58:20\r\n\r\nid: 7\nretry: 100\ndata:no-space\n: keep-alive\n\n:\n\n"
        XCTAssertEqual(parse(Array(s.utf8)), [SSEEvent(data: "no-space")])
    }

    func testOnlyOneLeadingSpaceIsStrippedAndEmptyDataCounts() {
        XCTAssertEqual(parse(Array("data:  two spaces\n\ndata:\n\n".utf8)), [SSEEvent(data: " two spaces"), SSEEvent(data: "")])
    }

    func testMultiByteUTF8SplitAtEveryByte() {
        let text = "Zürich 日本語 🎉"
        let s = Array("data: \(text)\n\n".utf8)
        XCTAssertEqual(parse(s, cuts: Array(0...s.count)), [SSEEvent(data: text)])
    }

    func testUnterminatedLastDataLineIsKeptAtEnd() {
        XCTAssertEqual(parse(Array("data: x\n\ndata: [DONE]".utf8)), [SSEEvent(data: "x"), SSEEvent(data: "[DONE]")])
    }

    func testBlankLinesWithoutDataDispatchNothing() {
        XCTAssertEqual(parse(Array("\n\n\r\n\nevent: ping\n\n".utf8)), [])
    }
}
