// The KV cache's rows to and from a snapshot file, in the snapshot's order: keys layer by layer, then values.

extension KVCache {
    /// Start of layer `l`'s keys or values as bytes: (capacity, width) numbers of 2 or 4 bytes.
    private func run(_ l: Int, values: Bool) -> UnsafeMutableRawPointer {
        if values { return UnsafeMutableRawPointer(self.values(l)) }
        return half ? UnsafeMutableRawPointer(halfKeys(l)) : UnsafeMutableRawPointer(keys(l))
    }

    /// The (layer, values?) runs of a chunk in file order with their widths.
    private var runs: [(layer: Int, values: Bool, width: Int)] {
        (0..<layers).map { (layer: $0, values: false, width: kWidth) } + (0..<(vWidth > 0 ? layers : 0)).map { (layer: $0, values: true, width: vWidth) }
    }

    /// Writes the rows of `positions` to `file` from `offset`, each layer's keys then each layer's values as one
    /// run of (positions.count, width) numbers; returns the XXH64 of all the bytes written.
    func writeRows(_ positions: Range<Int>, to file: KVSnapshotFile, at offset: Int) throws -> UInt64 {
        precondition(positions.upperBound <= capacity, "positions outside the cache")
        let eb = half ? 2 : 4
        var h = XXHash64(), at = offset
        for r in runs {
            let bytes = UnsafeRawBufferPointer(start: run(r.layer, values: r.values) + positions.lowerBound * r.width * eb,
                                               count: positions.count * r.width * eb)
            h.update(bytes)
            try file.write(bytes, at: at)
            at += bytes.count
        }
        return h.digest()
    }

    /// Reads positions `first..<first + count` from a chunk whose rows start at `offset` and that holds `chunkCount`
    /// tokens from position `chunkFirst`; false when the file ends first.
    func readRows(_ positions: Range<Int>, chunkFirst: Int, chunkCount: Int, from file: KVSnapshotFile, at offset: Int) throws -> Bool {
        precondition(positions.lowerBound >= chunkFirst && positions.upperBound <= chunkFirst + chunkCount && positions.upperBound <= capacity)
        let eb = half ? 2 : 4
        var runStart = offset
        for r in runs {
            let skip = (positions.lowerBound - chunkFirst) * r.width * eb
            let dst = UnsafeMutableRawBufferPointer(start: run(r.layer, values: r.values) + positions.lowerBound * r.width * eb,
                                                    count: positions.count * r.width * eb)
            guard try file.read(into: dst, at: runStart + skip) else { return false }
            runStart += chunkCount * r.width * eb
        }
        return true
    }
}
