// OpenAI-compatible import/export of messages and conversations (`role`, `content`, `reasoning_content`,
// `tool_calls`, `tool_call_id`), also accepting glmchat's own stored message shape.
import Foundation
import Quote

public struct MessageImportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ d: String) { description = d }
}

extension Message {
    /// Reads one message in OpenAI chat format. Content given as a list of parts keeps only its text parts,
    /// concatenated (as the GLM template's visible_text does); tool-call arguments given as a JSON string are parsed.
    /// `"content": null` reads as empty text, as vLLM and llama.cpp treat it (jinja2 itself would print "None").
    /// A tool message whose content is a list of parts is flattened the same way, so it renders as a plain tool
    /// response rather than through the template's list branch.
    public init(openAI v: JSONValue, index: Int = 0) throws {
        guard case .object = v else { throw MessageImportError("Message \(index + 1) is not a JSON object.") }
        guard let roleText = v["role"]?.stringValue else { throw MessageImportError("Message \(index + 1) has no role.") }
        let role: Role
        switch roleText {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool", "function": role = .tool
        default: throw MessageImportError("Message \(index + 1) has the unknown role \"\(quoted(roleText))\".")
        }
        let content = try Self.text(of: v["content"], index: index)
        var reasoning: String?
        if let r = v["reasoning_content"] ?? v["reasoning"], r != .null {
            guard let s = r.stringValue else { throw MessageImportError("Message \(index + 1) has reasoning_content that is not a string.") }
            reasoning = s
        }
        var calls: [ToolCall] = []
        if let tc = v["tool_calls"], tc != .null {
            guard let list = tc.arrayValue else { throw MessageImportError("Message \(index + 1) has tool_calls that are not a list.") }
            calls = try list.enumerated().map { try Self.toolCall($1, message: index, call: $0) }
        }
        var result: ToolResult?
        if role == .tool {
            let stored = v["tool_result"]
            let id = v["tool_call_id"]?.stringValue ?? stored?["call_id"]?.stringValue ?? ""
            let name = v["name"]?.stringValue ?? stored?["name"]?.stringValue ?? ""
            result = ToolResult(callID: id, name: name, exitStatus: stored?["exit_status"]?.intValue,
                                durationSeconds: stored?["duration_s"]?.doubleValue, truncated: stored?["truncated"]?.boolValue,
                                denied: stored?["denied"]?.boolValue)
            result?.stopped = stored?["stopped"]?.boolValue
            result?.undone = stored?["undone"]?.boolValue
        }
        self.init(id: v["id"]?.stringValue ?? Message.newID(), role: role, content: content, reasoning: reasoning,
                  toolCalls: calls, toolResult: result, finishReason: v["finish_reason"]?.stringValue.flatMap(FinishReason.init(rawValue:)),
                  created: nil)
    }

    static func text(of c: JSONValue?, index: Int) throws -> String {
        switch c?.decoded {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .array(let parts)?:
            return parts.map { p -> String in
                if let s = p.stringValue { return s }
                if p["type"]?.stringValue == "text", let t = p["text"]?.stringValue { return t }
                return ""
            }.joined()
        default: throw MessageImportError("Message \(index + 1) has content that is neither text nor a list of parts.")
        }
    }

    static func toolCall(_ v: JSONValue, message: Int, call: Int) throws -> ToolCall {
        let f = v["function"] ?? v
        guard let name = f["name"]?.stringValue, !name.isEmpty else {
            throw MessageImportError("Tool call \(call + 1) of message \(message + 1) has no function name.")
        }
        var args: JSONValue = .object([])
        switch f["arguments"]?.decoded {
        case nil, .null?: break
        case .string(let s)?:
            if !PythonText.strip(s).isEmpty {
                guard let parsed = try? JSONValue.parse(s) else {
                    throw MessageImportError("Tool call \(call + 1) (\(name)) of message \(message + 1) has arguments that are not valid JSON.")
                }
                args = parsed
            }
        case let a?: args = a
        }
        guard case .object = args else {
            throw MessageImportError("Tool call \(call + 1) (\(name)) of message \(message + 1) has arguments that are not a JSON object.")
        }
        return ToolCall(id: v["id"]?.stringValue ?? "call_\(message + 1)_\(call + 1)", name: name, arguments: args)
    }

    /// This message in OpenAI chat format. `argumentsAsObject` writes tool-call arguments as a JSON object
    /// (what chat templates expect) instead of OpenAI's JSON string.
    public func openAIJSON(includeReasoning: Bool = true, argumentsAsObject: Bool = false) -> JSONValue {
        var o: [(String, JSONValue)] = [("role", .string(role.rawValue)), ("content", .string(content))]
        if includeReasoning, let r = reasoning { o.append(("reasoning_content", .string(r))) }
        if !toolCalls.isEmpty {
            o.append(("tool_calls", .array(toolCalls.map { c in
                .object([("id", .string(c.id)), ("type", .string("function")),
                         ("function", .object([("name", .string(c.name)),
                                               ("arguments", argumentsAsObject ? c.arguments : .string(c.arguments.serialized()))]))])
            })))
        }
        if let r = toolResult {
            o.append(("tool_call_id", .string(r.callID)))
            o.append(("name", .string(r.name)))
        }
        return .object(o)
    }
}

/// A conversation file in OpenAI format: `{"messages": [...], "tools": [...]}` or a bare list of messages.
public struct OpenAIConversation: Sendable, Equatable {
    public var messages: [Message]
    /// Tool declarations in OpenAI function format.
    public var tools: [JSONValue]

    public init(messages: [Message], tools: [JSONValue] = []) { self.messages = messages; self.tools = tools }

    public init(json: JSONValue) throws {
        let list: [JSONValue]
        var tools: [JSONValue] = []
        switch json {
        case .array(let a): list = a
        case .object:
            guard let a = json["messages"]?.arrayValue else { throw MessageImportError("The conversation has no \"messages\" list.") }
            list = a
            if let t = json["tools"], t != .null {
                guard let ta = t.arrayValue else { throw MessageImportError("The conversation's \"tools\" is not a list.") }
                tools = ta
            }
        default: throw MessageImportError("A conversation must be a JSON object with \"messages\" or a list of messages.")
        }
        var msgs = try list.enumerated().map { try Message(openAI: $1, index: $0) }
        // Tool results without a name take it from the call they answer.
        var names: [String: String] = [:]
        for i in msgs.indices {
            for c in msgs[i].toolCalls { names[c.id] = c.name }
            if var r = msgs[i].toolResult, r.name.isEmpty, let n = names[r.callID] { r.name = n; msgs[i].toolResult = r }
        }
        self.init(messages: msgs, tools: tools)
    }

    public init(text: String) throws {
        let v: JSONValue
        do { v = try JSONValue.parse(text) } catch { throw MessageImportError("The conversation is not valid JSON (\(error)).") }
        try self.init(json: v)
    }

    public func json(includeReasoning: Bool = true, argumentsAsObject: Bool = false) -> JSONValue {
        var o: [(String, JSONValue)] = [("messages", .array(messages.map { $0.openAIJSON(includeReasoning: includeReasoning, argumentsAsObject: argumentsAsObject) }))]
        if !tools.isEmpty { o.append(("tools", .array(tools))) }
        return .object(o)
    }
}
