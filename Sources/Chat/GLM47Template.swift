// GLM-4.7-Flash's chat template, written out: byte-identical to jinja2 rendering GLM-4.7-Flash.jinja the way
// Hugging Face transformers does (trim_blocks, lstrip_blocks, tojson = json.dumps(ensure_ascii=False)).
import Foundation

enum GLM47Template {
    static let toolsHeader = "<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
    static let toolsFooter = "</tools>\n\nFor each function call, output the function name and arguments within the following XML format:\n<tool_call>{function-name}<arg_key>{arg-key-1}</arg_key><arg_value>{arg-value-1}</arg_value><arg_key>{arg-key-2}</arg_key><arg_value>{arg-value-2}</arg_value>...</tool_call>"

    static func render(_ messages: [Message], tools: [JSONValue], options: TemplateOptions) -> String {
        var out = "[gMASK]<sop>"
        if !tools.isEmpty {
            out += toolsHeader
            for t in tools { out += t.serialized(.pythonUnicode) + "\n" }
            out += toolsFooter
        }
        let lastUser = messages.lastIndex { $0.role == .user } ?? -1
        for (i, m) in messages.enumerated() {
            switch m.role {
            case .user: out += "<|user|>" + m.promptContent
            case .system: out += "<|system|>" + m.content
            case .tool:
                if i == 0 || messages[i - 1].role != .tool { out += "<|observation|>" }
                out += "<tool_response>" + m.promptContent + "</tool_response>"
            case .assistant:
                out += "<|assistant|>"
                var content = m.content, reasoning = ""
                if let r = m.reasoning {
                    reasoning = r
                } else if PythonText.contains(content, "</think>") {
                    let parts = PythonText.split(content, "</think>")
                    let before = PythonText.rstrip(parts[0]) { $0 == "\n" }
                    reasoning = PythonText.lstrip(PythonText.split(before, "<think>").last ?? "") { $0 == "\n" }
                    content = PythonText.lstrip(parts.last ?? "") { $0 == "\n" }
                }
                if options.continueFinal && i == messages.count - 1 {
                    out += openReply(reasoning: reasoning, content: content, thinking: options.thinking)
                    continue
                }
                if (options.keepThinking || i > lastUser) && !reasoning.isEmpty {
                    out += "<think>" + PythonText.strip(reasoning) + "</think>"
                } else {
                    out += "</think>"
                }
                out += PythonText.strip(content)
                for c in m.toolCalls { out += toolCallText(c) }
            }
        }
        if options.addGenerationPrompt { out += options.thinking ? "<|assistant|><think>" : "<|assistant|></think>" }
        return out
    }

    /// A reply to go on with, as the model left it: still inside its reasoning when it had written no answer yet
    /// (with thinking on), else the reasoning closed and the answer so far, its trailing text kept.
    static func openReply(reasoning: String, content: String, thinking: Bool) -> String {
        if content.isEmpty && thinking { return "<think>" + PythonText.lstrip(reasoning) { $0 == "\n" } }
        let think = reasoning.isEmpty ? "</think>" : "<think>" + PythonText.strip(reasoning) + "</think>"
        return think + PythonText.lstrip(content, PythonText.isSpace)
    }

    /// `<tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>`; strings raw, other values as JSON.
    static func toolCallText(_ c: ToolCall) -> String {
        var s = "<tool_call>" + c.name
        for (k, v) in c.arguments.objectValue ?? [] {
            s += "<arg_key>" + k + "</arg_key><arg_value>" + (v.stringValue ?? v.serialized(.pythonUnicode)) + "</arg_value>"
        }
        return s + "</tool_call>"
    }
}
