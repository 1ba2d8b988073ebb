// Command rules ("p" in the approval panel): a prefix such as `swift test` lets matching commands run in
// one workspace without asking — only simple ones, never a line that could chain another command.
import Chat

public enum CommandRule {
    /// What can start, chain or redirect another command in a shell line: such a line always asks.
    static let chaining: [String] = [";", "&", "|", "`", "$(", ">", "<", "\n", "\r"]

    /// `line` runs without asking under `prefix`: it is the prefix, or the prefix and a space, and it
    /// holds nothing that could chain, substitute or redirect.
    public static func allows(_ line: String, prefix: String) -> Bool {
        let p = prefix.trimming(" ")
        guard !p.isEmpty, line.hasPrefix(p) else { return false }
        let rest = line.dropFirst(p.count)
        guard rest.isEmpty || rest.first == " " else { return false }
        return !chaining.contains { line.contains($0) }
    }

    /// `line` runs without asking under one of `prefixes`.
    public static func allows(_ line: String, anyOf prefixes: [String]) -> Bool {
        prefixes.contains { allows(line, prefix: $0) }
    }

    /// The prefix offered for a command: its program, and the next word when it names a subcommand
    /// (`swift test`, `make check`, `git status`) rather than an option, path or file.
    public static func proposed(for line: String) -> String {
        let head = line.prefix { c in !chaining.contains { $0.contains(c) } && c != "$" }
        let words = head.split(separator: " ").map(String.init)
        guard let first = words.first else { return "" }
        guard words.count > 1, let second = words.dropFirst().first,
              second.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" }), !second.hasPrefix("-")
        else { return first }
        return first + " " + second
    }
}

extension ApprovalRequest {
    /// The line a command call runs: its preview's, else its "command" argument.
    public var commandLine: String? {
        if case .command(let line, _, _) = preview { return line }
        return kind == .run ? call.arguments["command"]?.stringValue : nil
    }
}
