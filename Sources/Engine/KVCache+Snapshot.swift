// The KV cache's rows to and from a snapshot file, in the snapshot's order: keys layer by layer, then values, each
// row as the cache holds it (f32, f16 or q8_0 blocks).

extension KVCache {
    /// Start of layer `l`'s keys or values as bytes: (capacity) rows as the cache holds them.
    private func run(_ l: Int, values: Bool) -> UnsafeMutableRawPointer {
        values ? UnsafeMutableRawPointer(self.values(l)) : keyBytes(l)
    }

    /// The (layer, values?) runs of a chunk in file order with the bytes of one token's row.
    private var runs: [(layer: Int, values: Bool, rowBytes: Int)] {
        (0..<layers).map { (layer: $0, values: false, rowBytes: keyRowBytes) }
            + (0..<(vWidth > 0 ? layers : 0)).map { (layer: $0, values: true, rowBytes: vWidth * 4) }
    }

    /// Writes the rows of `positions` to `file` from `offset`, each layer's keys then each layer's values as one
    /// run of (positions.count, width) numbers; returns the XXH64 of all the bytes written.
    func writeRows(_ positions: Range<Int>, to file: KVSnapshotFile, at offset: Int) throws -> UInt64 {
        precondition(positions.upperBound <= capacity, "positions outside the cache")
        var h = XXHash64(), at = offset
        for r in runs {
            let bytes = UnsafeRawBufferPointer(start: run(r.layer, values: r.values) + positions.lowerBound * r.rowBytes,
                                               count: positions.count * r.rowBytes)
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
        var runStart = offset
        for r in runs {
            let skip = (positions.lowerBound - chunkFirst) * r.rowBytes
            let dst = UnsafeMutableRawBufferPointer(start: run(r.layer, values: r.values) + positions.lowerBound * r.rowBytes,
                                                    count: positions.count * r.rowBytes)
            guard try file.read(into: dst, at: runStart + skip) else { return false }
            runStart += chunkCount * r.rowBytes
        }
        return true
    }
}
