// The arena repacked weights live in: 2 MB-aligned, 64-byte aligned pieces that do not overlap, nil once full.
import XCTest
@testable import Kernels

final class WeightArenaTests: XCTestCase {
    func testPiecesAreAlignedDisjointAndBounded() throws {
        let arena = try XCTUnwrap(WeightArena(capacity: 3 << 20))
        XCTAssertEqual(arena.capacity, 3 << 20, "hands out what was asked for (mapped in whole 2 MB pages)")
        let a = try XCTUnwrap(arena.allocate(100)), b = try XCTUnwrap(arena.allocate(1 << 20))
        XCTAssertEqual(Int(bitPattern: a) % (2 << 20), 0, "the arena starts on a 2 MB boundary")
        XCTAssertEqual(Int(bitPattern: b) % 64, 0)
        XCTAssertGreaterThanOrEqual(b - a, 100)
        a.storeBytes(of: 0xAB, as: UInt8.self)                 // writable, and zero until written
        XCTAssertEqual(b.load(as: UInt8.self), 0)
        XCTAssertEqual((b + (1 << 20) - 1).load(as: UInt8.self), 0)
        XCTAssertNil(arena.allocate(4 << 20), "more than is left")
        XCTAssertNotNil(arena.allocate(arena.capacity - arena.used - 64))
    }
}
