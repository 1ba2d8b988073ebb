// `glmchat prompt -m M --conversation FILE.json`: prints the exact prompt text the model would be given,
// rendered with the chat template recognised from the GGUF's tokenizer.chat_template.
import ArgumentParser
import Chat
import Foundation
import GGUF

struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Print the exact prompt text for a conversation (OpenAI-format JSON).",
        discussion: """
        The template is chosen from the model's tokenizer.chat_template: GLM-4.7 or ChatML. A template glmchat does \
        not know falls back to plain ChatML (<|im_start|>role … <|im_end|>), with a note on stderr; --template \
        chooses the format instead.
        """)

    @Option(name: [.short, .customLong("model")], help: "The GGUF file (its chat template is used).") var model: String
    @Option(help: "Conversation file: {\"messages\": [...], \"tools\": [...]} or a list of messages.") var conversation: String
    @Option(help: "Tool declarations (OpenAI function format): a list, or {\"tools\": [...]}. Replaces the conversation's tools.") var tools: String?
    @Flag(help: "Use glmchat's built-in coding tools as the tool declarations.") var builtinTools = false
    @Flag(help: "Thinking off (the prompt ends with </think>).") var noThink = false
    @Flag(help: "Render the reasoning of every earlier reply (GLM clear_thinking = false).") var keepThinking = false
    @Flag(help: "Do not end with the assistant header.") var noGenerationPrompt = false
    @Option(help: "Use this format instead of the model's template: glm47 or chatml.") var template: String?

    func run() throws {
        let text = reportingErrors { try PromptCommand.render(model: model, conversation: conversation, tools: tools, builtinTools: builtinTools,
                                                              noThink: noThink, keepThinking: keepThinking, noGenerationPrompt: noGenerationPrompt, template: template) }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The conversation file may also set the template variables `enable_thinking`, `clear_thinking` and
    /// `add_generation_prompt` (as with Hugging Face's apply_chat_template); the flags turn them off/on.
    static func render(model: String, conversation: String, tools: String?, builtinTools: Bool,
                       noThink: Bool, keepThinking: Bool, noGenerationPrompt: Bool, template name: String? = nil) throws -> String {
        let gguf = try GGUFFile(path: model)
        let chosen: ChatTemplate
        if let name {
            guard let t = ChatTemplate(name: name) else { throw PromptError("Unknown template \(name); use glm47 or chatml.") }
            chosen = t
        } else {
            let recognition = TemplateRecognition.recognize(gguf.string("tokenizer.chat_template"))
            if let note = recognition.note { FileHandle.standardError.write(Data("glmchat: \(note)\n".utf8)) }
            chosen = recognition.template
        }
        let json: JSONValue
        do { json = try JSONValue.parse(try readText(conversation, what: "conversation")) } catch let e as JSONParseError {
            throw PromptError("The conversation file \(conversation) is not valid JSON (\(e)).")
        }
        let conv = try OpenAIConversation(json: json)
        let options = TemplateOptions(addGenerationPrompt: !noGenerationPrompt && (json["add_generation_prompt"]?.boolValue ?? true),
                                      thinking: !noThink && (json["enable_thinking"]?.boolValue ?? true),
                                      keepThinking: keepThinking || json["clear_thinking"]?.boolValue == false)
        var declared = conv.tools
        if let tools {
            let v: JSONValue
            do { v = try JSONValue.parse(try readText(tools, what: "tools")) } catch let e as JSONParseError { throw PromptError("The tools file \(tools) is not valid JSON (\(e)).") }
            guard let list = v.arrayValue ?? v["tools"]?.arrayValue else { throw PromptError("The tools file \(tools) must hold a list of tool declarations.") }
            declared = list
        }
        if builtinTools { declared = CodingTools.declarations }
        if !declared.isEmpty && !chosen.supportsTools {
            FileHandle.standardError.write(Data("glmchat: The \(chosen.name) template cannot declare tools; they are left out.\n".utf8))
            declared = []
        }
        return chosen.render(conv.messages, tools: declared, options: options)
    }

    static func readText(_ path: String, what: String) throws -> String {
        let d = try readUserFile(path, what: what + " file")
        guard let s = String(validating: d, as: UTF8.self) else { throw PromptError("The \(what) file \(path) is not UTF-8 text.") }
        return s
    }
}

struct PromptError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
