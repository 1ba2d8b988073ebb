// The built-in coding tools (Chat's CodingTools, confined to the workspace) as the controller's ToolExecutor.
import Chat
import Foundation

/// Runs one approved call of the built-in coding tools (the UI asks the user before writes and commands).
public final class CodingToolsExecutor: ToolExecutor, @unchecked Sendable {
    let tools: CodingTools
    public init(_ tools: CodingTools) { self.tools = tools }
    public var declarations: [JSONValue] { tools.declarations }
    public var needsApproval: Bool { true }
    public var autoApproved: Set<String> { Set(CodingTools.names.filter { CodingTools.kind(of: $0) == .read }) }
    public func run(_ call: ToolCall, completion: @escaping @Sendable (Message) -> Void) {
        let tools = self.tools
        Task.detached { completion(await tools.execute(call) { _ in .approve }.message(answering: call)) }
    }
}
