// Slash commands typed in the editor: the one table of the built-in ones (name, arguments, what they do), the
// custom ones from Markdown files, and parsing a line into a command. What each does is in Update+Slash.swift.
import Chat

public enum SlashCommand: String, CaseIterable, Sendable {
    case new, fork, edit, regen, `continue`, system, compact, plan, export, model, think, keepThinking = "keep-thinking", temp, topP = "top-p", undo, sessions, settings, help, quit

    public var name: String { "/" + rawValue }
    /// "/temp N".
    public var usage: String { arguments.isEmpty ? name : name + " " + arguments }

    /// The commands as a Markdown table (the README's Slash commands section holds exactly this; a test checks it).
    public static var markdown: String {
        "| Command | Does |\n|---|---|\n" + allCases.map { "| `\($0.usage.replacingOccurrences(of: "|", with: "\\|"))` | \($0.summary) |" }.joined(separator: "\n")
    }

    /// The arguments, as shown in the completion list and the help.
    public var arguments: String {
        switch self {
        case .system: return "[TEXT | clear]"
        case .compact: return "[N | drop]"
        case .export: return "[md|json]"
        case .think, .keepThinking: return "on|off"
        case .temp: return "N"
        case .topP: return "N"
        default: return ""
        }
    }

    public var summary: String {
        switch self {
        case .new: return "start a new conversation"
        case .edit: return "edit your last message and send it as a new version"
        case .regen: return "a new reply to the last message; the old one stays a version"
        case .continue: return "go on with the last reply where it was stopped or cut off"
        case .fork: return "copy this conversation into a new one (in the transcript: up to the selected message, f)"
        case .system: return "set this conversation's system prompt (no text: show it)"
        case .compact: return "have the model summarise all but the last N turns (default \(Compaction.defaultKeepTurns)) and send the summary in their place; drop: send them again"
        case .plan: return "plan mode on/off: the model may read, not write or run"
        case .export: return "write this conversation to a file in the workspace (Markdown or OpenAI JSON)"
        case .model: return "the model (or server) and its context"
        case .think: return "let the model think before answering, or not"
        case .keepThinking: return "send past reasoning back to the model, or not"
        case .temp: return "sampling temperature (0–2)"
        case .topP: return "top-p sampling (0–1)"
        case .undo: return "undo the last file write of this conversation"
        case .sessions: return "open a saved conversation"
        case .settings: return "open the settings"
        case .help: return "the keys and commands"
        case .quit: return "quit glmchat"
        }
    }
}

/// A command from `.glmchat/commands/NAME.md` (the workspace's) or `$XDG_CONFIG_HOME/glmchat/commands/NAME.md`:
/// typing `/NAME args` sends the file's text with `$ARGUMENTS` replaced by `args`.
public struct CustomCommand: Equatable, Sendable {
    public var name: String
    public var text: String
    /// Where it was read from (shown in the completion list).
    public var source: String
    public init(name: String, text: String, source: String) { self.name = name; self.text = text; self.source = source }

    /// The message it sends.
    public func message(arguments: String) -> String { text.replacingOccurrences(of: "$ARGUMENTS", with: arguments) }

    /// Names a file may give a command: letters, digits, `-` and `_`, not a built-in's.
    public static func isValidName(_ n: String) -> Bool {
        !n.isEmpty && n.count <= 40 && n.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            && SlashCommand(rawValue: n) == nil
    }
}

/// One line of the completion list (a command, or a file for `@`).
public struct SlashCompletion: Equatable, Sendable {
    public var name: String
    public var arguments: String
    public var summary: String
    /// The editor's whole text once this line is taken (nil: the name, and a space when arguments follow).
    public var replacement: String? = nil
    /// Enter takes it and sends (a command without arguments) rather than only completing.
    public var runsOnEnter: Bool { replacement == nil && arguments.isEmpty }
}

extension AppState {
    /// The editor holds a command being typed (`/na…`, no space yet): the commands it may become.
    public var slashCompletions: [SlashCompletion] {
        let text = input.text
        guard focus == .input, overlay == nil, text.hasPrefix("/"), !text.hasPrefix("//"),
              !text.contains(where: { $0 == " " || $0 == "\n" }) else { return [] }
        let typed = text.dropFirst().lowercased()
        let builtins = SlashCommand.allCases.filter { $0.rawValue.hasPrefix(typed) }
            .map { SlashCompletion(name: $0.name, arguments: $0.arguments, summary: $0.summary) }
        let custom = customCommands.filter { $0.name.lowercased().hasPrefix(typed) }
            .map { SlashCompletion(name: "/" + $0.name, arguments: $0.text.contains("$ARGUMENTS") ? "ARGS" : "", summary: "custom · " + $0.source) }
        return builtins + custom
    }
}

/// What a line sent from the editor asks for.
enum SlashLine: Equatable {
    case builtin(SlashCommand, arguments: String)
    case custom(CustomCommand, arguments: String)
    /// `/name` that is no command.
    case unknown(String)
    /// Not a command: `text` is sent (a leading `//` sends one `/`).
    case message(String)

    init(_ text: String, custom: [CustomCommand]) {
        guard text.hasPrefix("/"), !text.hasPrefix("//") else {
            self = .message(text.hasPrefix("//") ? String(text.dropFirst()) : text)
            return
        }
        let body = text.dropFirst()
        let name = String(body.prefix { $0 != " " && $0 != "\n" })
        let args = String(body.dropFirst(name.count)).trimming(" \n")
        if let c = SlashCommand(rawValue: name.lowercased()) { self = .builtin(c, arguments: args) }
        else if let c = custom.first(where: { $0.name == name }) { self = .custom(c, arguments: args) }
        else { self = .unknown(name) }
    }
}
