// The engine tests' seeded inputs: one 64-bit LCG (Knuth's MMIX constants), so a test's tokens and numbers are the same
// every run.
struct SeededNumbers {
    private var x: UInt64

    init(seed: UInt64) { x = seed }

    mutating func next() -> UInt64 {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        return x
    }

    /// A token id below `vocab`, from the state's upper bits.
    mutating func token(below vocab: Int) -> Int { Int((next() >> 33) % UInt64(vocab)) }

    /// One of −1000 … 1000, divided by `divisor`.
    mutating func float(over divisor: Float) -> Float { Float(Int(next() >> 40) % 2001 - 1000) / divisor }

    mutating func tokens(_ count: Int, below vocab: Int) -> [Int] { (0..<count).map { _ in token(below: vocab) } }

    mutating func floats(_ count: Int, over divisor: Float) -> [Float] { (0..<count).map { _ in float(over: divisor) } }
}
