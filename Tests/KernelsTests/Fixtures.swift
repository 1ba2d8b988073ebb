// Loads the golden files made by Tools/kernels/make_goldens.py (Tests/Fixtures/kernels/).
import Foundation
import XCTest

enum Goldens {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kernels")

    struct Manifest: Decodable { let rows: Int, cols: Int, act_n: Int, types: [String], vec_dot: [String: String] }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
    }
    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: dir.appendingPathComponent(name))) }
    static func floats(_ name: String) throws -> [Float] { try bytes(name).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
    static func doubles(_ name: String) throws -> [Double] { try bytes(name).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) } }
}

/// Seeded SplitMix64 so random test data is the same on every run.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func gaussian() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self), u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}
