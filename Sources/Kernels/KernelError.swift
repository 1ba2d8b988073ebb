// Errors raised by the kernels: unsupported quant types, mismatched shapes and bad options, each one plain sentence.
import GGUF

public enum KernelError: Error, CustomStringConvertible, Equatable {
    /// The weight type has no dequantization/dot-product kernel here.
    case unsupportedType(GGMLType)
    /// A matrix or activation shape the kernels cannot use (the text says which and why).
    case badShape(String)
    /// An engine option (environment variable) with a value it does not take (the text says which).
    case badOption(String)
    /// Scratch memory for activations could not be allocated.
    case outOfMemory(bytes: Int)

    public var description: String {
        switch self {
        case .unsupportedType(let t):
            return "The tensor type \(t.name) is not supported (supported: \(Quant.supportedTypes.map(\.name).joined(separator: ", ")))."
        case .badShape(let why), .badOption(let why): return why
        case .outOfMemory(let bytes): return "Could not allocate \(bytes) bytes of kernel scratch memory."
        }
    }
}
