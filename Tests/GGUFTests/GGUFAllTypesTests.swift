// Every GGUF value type, nested arrays, 12 tensor types and alignment 64, against gguf-py's reading.
import Foundation
import XCTest
@testable import GGUF

/// A JSON value from the reference file, numbers kept exact (UInt64/Int64 before Double).
enum RefValue: Decodable, Equatable {
    case u(UInt64), i(Int64), d(Double), b(Bool), s(String), a([RefValue])
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Bool.self) { self = .b(v) }
        else if let v = try? c.decode(UInt64.self) { self = .u(v) }
        else if let v = try? c.decode(Int64.self) { self = .i(v) }
        else if let v = try? c.decode(Double.self) { self = .d(v) }
        else if let v = try? c.decode(String.self) { self = .s(v) }
        else if let v = try? c.decode([RefValue].self) { self = .a(v) }
        else { self = try c.decode(Nested.self).value }   // a nested array: {type, element_type, value}
    }
    private struct Nested: Decodable { let value: RefValue }
}

struct AllTypesReference: Decodable {
    struct Entry: Decodable { let type: String; let element_type: String?; let value: RefValue }
    struct Tensor: Decodable { let name: String; let type: String; let shape: [Int]; let offset: Int; let bytes: Int }
    let version: UInt32, file_size: Int, alignment: Int, data_offset: Int, architecture: String
    let metadata_order: [String]
    let metadata: [String: Entry]
    let tensors: [Tensor]
}

final class GGUFAllTypesTests: XCTestCase {
    func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/gguf/\(name)").standardized
    }

    /// Our value in the reference's terms.
    func ref(_ v: GGUFValue) -> RefValue {
        switch v {
        case .uint(let x, _): return .u(x)
        case .int(let x, _): return x >= 0 ? .u(UInt64(x)) : .i(x)
        case .float(let x, _): return .d(x)
        case .bool(let b): return .b(b)
        case .string(let s): return .s(s)
        case .array(let a): return ref(a)
        }
    }
    func ref(_ a: GGUFArray) -> RefValue {
        switch a {
        case .numbers: return .a(a.elements.map { ref($0) })
        case .strings(let xs): return .a(xs.map { .s($0) })
        case .arrays(let xs): return .a(xs.map { ref($0) })
        }
    }
    /// JSON numbers that are whole decode as integers; compare floats numerically.
    func same(_ a: RefValue, _ b: RefValue) -> Bool {
        switch (a, b) {
        case let (.a(x), .a(y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (.d(x), .u(y)), let (.u(y), .d(x)): return x == Double(y)
        case let (.d(x), .i(y)), let (.i(y), .d(x)): return x == Double(y)
        case let (.d(x), .d(y)): return x == y || (x.isNaN && y.isNaN)
        default: return a == b
        }
    }

    func testAllTypesMatchGGUFPy() throws {
        let expected = try JSONDecoder().decode(AllTypesReference.self, from: Data(contentsOf: fixture("all-types.json")))
        let f = try GGUFFile(path: fixture("all-types.gguf").path)
        XCTAssertEqual(f.version, expected.version)
        XCTAssertEqual(f.fileSize, expected.file_size)
        XCTAssertEqual(f.alignment, expected.alignment)
        XCTAssertEqual(f.dataOffset, expected.data_offset)
        XCTAssertEqual(f.architecture, expected.architecture)
        XCTAssertEqual(f.metadataKeys, expected.metadata_order)
        for key in expected.metadata_order {
            let want = try XCTUnwrap(expected.metadata[key])
            let got = try XCTUnwrap(f.metadata[key], key)
            XCTAssertTrue(same(ref(got), want.value), "\(key): \(got) vs \(want.value)")
            if want.type == "ARRAY", let et = want.element_type, let a = got.arrayValue, a.count > 0 {
                XCTAssertEqual(a.elementTypeName, et.lowercased(), key)
            }
        }
        XCTAssertEqual(f.tensors.count, expected.tensors.count)
        for (t, e) in zip(f.tensors, expected.tensors) {
            XCTAssertEqual(t.name, e.name)
            XCTAssertEqual(t.type.name, e.type, e.name)
            XCTAssertEqual(t.dims, e.shape, e.name)
            XCTAssertEqual(t.fileOffset, e.offset, e.name)
            XCTAssertEqual(t.byteCount, e.bytes, e.name)
        }
    }
}
