// Errors from the coding tools, each one plain sentence that is also what the model is told.
import Foundation

public struct ToolError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}
