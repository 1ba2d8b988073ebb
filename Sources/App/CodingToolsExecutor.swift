// The built-in coding tools (Chat's CodingTools, confined to the workspace) as the controller's ToolExecutor.
import Chat
import Foundation

/// Prepares and runs calls of the built-in coding tools (the UI asks the user before writes and commands).
public final class CodingToolsExecutor: ToolExecutor, @unchecked Sendable {
    let tools: CodingTools
    public init(_ tools: CodingTools) { self.tools = tools }
    public var declarations: [JSONValue] { tools.declarations }
    public var needsApproval: Bool { true }
    public func prepare(_ call: ToolCall, completion: @escaping @Sendable (ToolPreparation) -> Void) {
        let tools = self.tools
        DispatchQueue.global().async { completion(tools.prepare(call)) }
    }
    public func run(_ call: ToolCall, conversationID: String?, output: @escaping @Sendable (String) -> Void,
                    completion: @escaping @Sendable (Message) -> Void) {
        let tools = self.tools
        Task.detached { completion(await tools.execute(call) { _ in .approve }.message(answering: call)) }
    }
}
