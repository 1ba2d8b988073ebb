// One entry of a GGUF tensor directory.

public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let type: GGMLType
    /// Dimensions, ne0 first (ggml order): a matrix of `ne1` rows of `ne0` elements is [ne0, ne1].
    public let dims: [Int]
    /// Byte offset of the data from the start of the file (already validated to lie inside it).
    public let fileOffset: Int
    public let byteCount: Int

    public var elementCount: Int { dims.reduce(1, *) }
    /// Elements in one row (ne0).
    public var rowLength: Int { dims.first ?? 1 }
    /// Number of rows: product of all dims but the first.
    public var rowCount: Int { dims.dropFirst().reduce(1, *) }
    /// Bytes in one row.
    public var rowBytes: Int { type.byteCount(elements: rowLength) ?? 0 }
    /// "{2048, 768}".
    public var shapeDescription: String { "{" + dims.map(String.init).joined(separator: ", ") + "}" }
}
