// Which model file a KV snapshot belongs to: file size, a hash of the GGUF header and of sampled tensor bytes.
import GGUF

/// Computed once per `Model` at load (a hash of the metadata, a few MB for GLM-4.7-Flash's vocabulary, and of
/// 2 × 2 KB from each of up to 32 tensors spread over the file): cheap enough never to be noticed, strong
/// enough that a snapshot never meets another file's weights. Two files with the same header and size but
/// other weights (a re-seeded fixture, a requantization with the same types) differ in the sampled bytes.
public struct ModelIdentity: Sendable, Equatable, CustomStringConvertible {
    public let fileSize: UInt64
    /// XXH64 of the bytes before the tensor data: header, metadata, tensor directory.
    public let headerHash: UInt64
    /// XXH64 of the sampled tensor bytes (see `sampledTensors`).
    public let tensorSampleHash: UInt64

    /// Tensors sampled, spread evenly over the file's tensor list; bytes sampled from each one's start and middle.
    static let sampledTensors = 32, sampleBytes = 2048

    public init(fileSize: UInt64, headerHash: UInt64, tensorSampleHash: UInt64) {
        self.fileSize = fileSize; self.headerHash = headerHash; self.tensorSampleHash = tensorSampleHash
    }

    public init(_ gguf: GGUFFile) {
        fileSize = UInt64(gguf.fileSize)
        headerHash = XXHash64.hash(gguf.headerBytes)
        var h = XXHash64()
        let n = gguf.tensors.count, picks = min(n, Self.sampledTensors)
        for k in 0..<picks {
            let i = k * n / picks
            let data = gguf.data(of: gguf.tensors[i])
            h.update(UInt64(i))
            for start in [0, data.count / 2] {
                h.update(UnsafeRawBufferPointer(rebasing: data[start..<min(data.count, start + Self.sampleBytes)]))
            }
        }
        tensorSampleHash = h.digest()
    }

    public var description: String {
        "\(fileSize) bytes, header " + String(headerHash, radix: 16) + ", tensors " + String(tensorSampleHash, radix: 16)
    }
}
