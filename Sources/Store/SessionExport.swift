// Export to Markdown (reasoning and tool calls in <details> blocks) and to OpenAI-style messages JSON; import from it.
import Chat
import Foundation
import Quote

public enum SessionExport {
    // MARK: Markdown

    /// The conversation as Markdown, ending with one newline.
    public static func markdown(_ s: Session) -> String {
        var out = "# \(escapeHTML(oneLine(s.displayTitle)))\n\n"
        var meta = ["Session `\(s.id)`"]
        if let m = s.model?.name ?? s.model?.path { meta.append("model \(oneLine(m))") }
        meta.append("created \(ISODate.format(s.created))")
        meta.append("\(s.messages.count) message\(s.messages.count == 1 ? "" : "s")")
        out += "*" + meta.joined(separator: " · ") + "*\n\n"
        for m in s.messages {
            switch m.role {
            case .system: out += "## System\n\n"
            case .user: out += "## User\n\n"
            case .assistant: out += "## Assistant\n\n"
            case .tool: out += "## Tool result\n\n"
            }
            if let r = m.reasoning, !r.isEmpty {
                out += details("Reasoning", body: r.trimmingTrailingNewlines + "\n")
            }
            if m.role == .tool {
                let name = m.toolResult?.name ?? "tool"
                var summary = "Output of \(name)"
                if let r = m.toolResult {
                    var notes: [String] = []
                    if r.denied == true { notes.append("denied") }
                    if let e = r.exitStatus { notes.append("exit \(e)") }
                    if r.truncated == true { notes.append("truncated") }
                    if r.stopped == true { notes.append("stopped") }
                    if r.undone == true { notes.append("undone") }
                    if !notes.isEmpty { summary += " (\(notes.joined(separator: ", ")))" }
                }
                out += details(summary, body: fenced(m.content, language: ""))
            } else if !m.content.isEmpty {
                out += m.content.trimmingTrailingNewlines + "\n\n"
            }
            for c in m.toolCalls {
                let args: String
                switch c.arguments { case .string(let raw): args = raw; default: args = c.arguments.serialized(.pretty) }
                out += details("Tool call: \(c.name)", body: fenced(args, language: "json"))
            }
            if m.incomplete { out += "*(this reply was cut off)*\n\n" }
            if let c = s.compaction, c.through == m.id {
                out += details("Summary of \(c.messages) earlier message\(c.messages == 1 ? "" : "s") (sent to the model in their place\(c.edited ? "; edited" : ""))",
                               body: c.summary.trimmingTrailingNewlines + "\n")
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    private static func details(_ summary: String, body: String) -> String {
        "<details>\n<summary>\(escapeHTML(oneLine(summary)))</summary>\n\n\(body)\n</details>\n\n"
    }

    /// A code block whose fence is longer than any run of backticks inside.
    private static func fenced(_ text: String, language: String) -> String {
        var longest = 0, run = 0
        for ch in text { if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return "\(fence)\(language)\n\(text.trimmingTrailingNewlines)\n\(fence)\n"
    }

    private static func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func oneLine(_ s: String) -> String { s.split(whereSeparator: \.isNewline).joined(separator: " ") }

    // MARK: OpenAI-style JSON

    /// `{"model": …, "messages": [...]}` as a chat-completions request would carry them: tool-call arguments
    /// as JSON strings, tool results as `tool` messages with `tool_call_id`, reasoning as `reasoning_content`.
    public static func openAI(_ s: Session) -> JSONValue {
        var doc: [(String, JSONValue)] = []
        if let name = s.model?.name { doc.append(("model", .string(name))) }
        doc.append(("messages", .array(s.messages.map(openAIMessage))))
        return .object(doc)
    }

    static func openAIMessage(_ m: Message) -> JSONValue {
        var kv: [(String, JSONValue)] = [("role", .string(m.role.rawValue))]
        if m.role == .tool, let r = m.toolResult {
            kv.append(("tool_call_id", .string(r.callID)))
            kv.append(("name", .string(r.name)))
        }
        kv.append(("content", .string(m.content)))
        if let r = m.reasoning { kv.append(("reasoning_content", .string(r))) }
        if !m.toolCalls.isEmpty {
            kv.append(("tool_calls", .array(m.toolCalls.map { c in
                let args: String
                if case .string(let raw) = c.arguments { args = raw } else { args = c.arguments.serialized(.compact) }
                return .object([("id", .string(c.id)), ("type", .string("function")),
                                ("function", .object([("name", .string(c.name)), ("arguments", .string(args))]))])
            })))
        }
        return .object(kv)
    }

    /// Messages from OpenAI-style JSON: an array of messages, or an object with "messages" (and maybe "model").
    /// Accepts content as a string, null, or a list of text parts; `developer` is read as `system`.
    public static func importOpenAI(_ bytes: [UInt8]) throws -> (messages: [Message], model: String?) {
        let doc: JSONValue
        do { doc = try JSONValue.parse(bytes) } catch { throw StoreError.invalidImport("it is not valid JSON (\(error))") }
        let items: [JSONValue]
        var model: String?
        switch doc {
        case .array(let a): items = a
        case .object:
            guard let a = doc["messages"]?.arrayValue else { throw StoreError.invalidImport("it has no \"messages\" array") }
            items = a; model = doc["model"]?.stringValue
        default: throw StoreError.invalidImport("it holds neither a list of messages nor an object with \"messages\"")
        }
        var out: [Message] = []
        var callNames: [String: String] = [:]
        for (i, item) in items.enumerated() {
            func bad(_ why: String) -> StoreError { .invalidImport("message \(i + 1) \(why)") }
            guard case .object = item else { throw bad("is not an object") }
            guard let roleText = item["role"]?.stringValue else { throw bad("has no role") }
            let role: Role
            switch roleText {
            case "developer": role = .system
            case "function": role = .tool
            default:
                guard let r = Role(rawValue: roleText) else { throw bad("has the unknown role \"\(quoted(roleText))\"") }
                role = r
            }
            let content: String
            switch item["content"]?.decoded {
            case nil, .null?: content = ""
            case .string(let s)?: content = s
            case .array(let parts)?:
                var texts: [String] = []
                for p in parts {
                    if let s = p.stringValue { texts.append(s); continue }
                    guard p["type"]?.stringValue == "text", let t = p["text"]?.stringValue else {
                        throw bad("has a content part of type \"\(quoted(p["type"]?.stringValue ?? "?"))\"; only text can be imported")
                    }
                    texts.append(t)
                }
                content = texts.joined(separator: "\n")
            default: throw bad("has content that is neither text nor a list of parts")
            }
            var m = Message(role: role, content: content, created: nil)
            m.reasoning = item["reasoning_content"]?.stringValue ?? item["reasoning"]?.stringValue
            if let calls = item["tool_calls"]?.arrayValue {
                for (j, c) in calls.enumerated() {
                    guard let f = c["function"], let name = f["name"]?.stringValue else { throw bad("has a tool call without a function name") }
                    let id = c["id"]?.stringValue ?? "call_\(i)_\(j)"
                    var args: JSONValue = .object([])
                    switch f["arguments"]?.decoded {
                    case .string(let s)?: args = (try? JSONValue.parse(s)) ?? .string(s)
                    case let v?: args = v
                    case nil: break
                    }
                    m.toolCalls.append(ToolCall(id: id, name: name, arguments: args))
                    callNames[id] = name
                }
            }
            if role == .tool {
                let callID = item["tool_call_id"]?.stringValue ?? ""
                let name = item["name"]?.stringValue ?? callNames[callID] ?? "tool"
                m.toolResult = ToolResult(callID: callID, name: name)
            }
            out.append(m)
        }
        return (out, model)
    }
}

extension SessionStore {
    public func exportMarkdown(_ idOrPrefix: String) throws -> String { SessionExport.markdown(try load(idOrPrefix)) }

    public func exportOpenAI(_ idOrPrefix: String) throws -> String {
        SessionExport.openAI(try load(idOrPrefix)).serialized(.pretty) + "\n"
    }

    /// Creates a new session from OpenAI-style messages JSON; returns its id.
    public func importOpenAI(_ bytes: [UInt8], title: String = "") throws -> String {
        let (messages, model) = try SessionExport.importOpenAI(bytes)
        let s = try create(title: title, model: model.map { SessionModel(name: $0) }, messages: messages)
        try s.close()
        return s.id
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while let l = s.last, l.isNewline { s.removeLast() }
        return String(s)
    }
}
