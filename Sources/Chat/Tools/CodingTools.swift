// The built-in coding tools (read_file, list_dir, search, write_file, edit_file, run_command): their
// declarations in OpenAI function format, argument checking, the approval step and running them, all
// confined to the workspace and with output capped.
import Foundation

public struct ToolLimits: Sendable, Equatable {
    /// Output given to the model, in bytes (head + tail kept beyond it).
    public var outputBytes = 32_000
    public var readFileMaxBytes = 16 << 20
    public var defaultReadLines = 2000
    public var defaultCommandTimeout = 120.0
    public var maxCommandTimeout = 1800.0
    public var searchMaxResults = 200
    public var searchMaxFileBytes = 4 << 20
    public var listMaxEntries = 1000
    public init() {}
}

public final class CodingTools: Sendable {
    public let workspace: Workspace
    public let limits: ToolLimits

    public init(workspace: Workspace, limits: ToolLimits = ToolLimits()) { self.workspace = workspace; self.limits = limits }

    public static let names = ["read_file", "list_dir", "search", "write_file", "edit_file", "run_command"]

    public static func kind(of name: String) -> ToolKind? {
        switch name {
        case "read_file", "list_dir", "search": return .read
        case "write_file", "edit_file": return .write
        case "run_command": return .run
        default: return nil
        }
    }

    /// What the model is told, in OpenAI function format (rendered by the template's tools block).
    public var declarations: [JSONValue] { Self.declarations }

    public static let declarations: [JSONValue] = {
        func fn(_ name: String, _ description: String, _ props: [(String, String, String)], required: [String]) -> JSONValue {
            .object([("type", .string("function")), ("function", .object([
                ("name", .string(name)), ("description", .string(description)),
                ("parameters", .object([
                    ("type", .string("object")),
                    ("properties", .object(props.map { ($0.0, .object([("type", .string($0.1)), ("description", .string($0.2))])) })),
                    ("required", .array(required.map { .string($0) })),
                ])),
            ]))])
        }
        return [
            fn("read_file", "Read a text file in the workspace. Each line is prefixed with its number and a tab.",
               [("path", "string", "File path, relative to the workspace root."),
                ("start_line", "integer", "First line to read (1-based). Default 1."),
                ("end_line", "integer", "Last line to read (inclusive). Default: 2000 lines from start_line.")], required: ["path"]),
            fn("list_dir", "List a folder in the workspace: sub-folders end with '/', files show their size.",
               [("path", "string", "Folder path, relative to the workspace root. Default '.'.")], required: []),
            fn("search", "Search the text of files in the workspace (skipping files ignored by .gitignore). Prints path:line: text for each match.",
               [("pattern", "string", "Text to find, or a regular expression when regex is true."),
                ("path", "string", "Folder or file to search in. Default '.'."),
                ("regex", "boolean", "Treat pattern as a regular expression. Default false."),
                ("ignore_case", "boolean", "Ignore letter case. Default false."),
                ("include", "string", "Only files whose name matches this glob, e.g. '*.swift'."),
                ("max_results", "integer", "Stop after this many matches. Default 200.")], required: ["pattern"]),
            fn("write_file", "Create or overwrite a file in the workspace with the given content (the user approves it).",
               [("path", "string", "File path, relative to the workspace root."),
                ("content", "string", "The complete new content of the file.")], required: ["path", "content"]),
            fn("edit_file", "Replace exact text in a file (the user approves it). old_text must occur exactly once unless replace_all is true.",
               [("path", "string", "File path, relative to the workspace root."),
                ("old_text", "string", "The exact text to replace, including whitespace."),
                ("new_text", "string", "The replacement text."),
                ("replace_all", "boolean", "Replace every occurrence. Default false.")], required: ["path", "old_text", "new_text"]),
            fn("run_command", "Run a shell command in the workspace root (the user approves it). Output is stdout and stderr together, shortened when long.",
               [("command", "string", "The shell command line."),
                ("timeout_seconds", "integer", "Kill the command after this many seconds. Default 120.")], required: ["command"]),
        ]
    }()

    // MARK: running

    /// A checked call: what to ask the user (nil for reads) and the work itself.
    struct Plan: Sendable {
        let request: ApprovalRequest?
        let action: @Sendable () throws -> ToolOutcome
    }

    /// What `call` would do, checked but not run: the request to show (reads too, kind `.read`), or the
    /// refusal the model gets when the call cannot run.
    public func prepare(_ call: ToolCall) -> ToolPreparation {
        do {
            let plan = try self.plan(call)
            return .ready(plan.request ?? ApprovalRequest(call: call, kind: .read, summary: call.name,
                                                          preview: .arguments(call.arguments.serialized(.pretty))))
        } catch {
            return .refused(ToolOutcome(output: "Error: \(error)", exitStatus: 1).message(answering: call))
        }
    }

    /// Checks, asks for approval when needed, runs. Never throws: problems become the output the model sees.
    public func execute(_ call: ToolCall, approve: @Sendable (ApprovalRequest) async -> ApprovalDecision) async -> ToolOutcome {
        let start = CommandRunner.monotonic()
        let plan: Plan
        do { plan = try self.plan(call) } catch { return ToolOutcome(output: "Error: \(error)", exitStatus: 1, seconds: CommandRunner.monotonic() - start) }
        if let r = plan.request, case .deny(let why) = await approve(r) {
            return ToolOutcome(output: "The user declined this \(r.kind == .run ? "command" : "change")" + (why.map { ": \($0)." } ?? "."), exitStatus: 1, denied: true)
        }
        let outcome: ToolOutcome = await withCheckedContinuation { cont in
            DispatchQueue.global().async {
                do { cont.resume(returning: try plan.action()) } catch { cont.resume(returning: ToolOutcome(output: "Error: \(error)", exitStatus: 1)) }
            }
        }
        var o = outcome
        let capped = OutputCap.apply(o.output, limit: limits.outputBytes)
        o.output = capped.text
        o.truncated = o.truncated || capped.truncated
        o.seconds = CommandRunner.monotonic() - start
        return o
    }

    func plan(_ call: ToolCall) throws -> Plan {
        if let why = call.malformed { throw ToolError("The call to \(call.name) could not be read: \(why). Write it again, complete.") }
        let a = Args(call)
        switch call.name {
        case "read_file":
            let path = try workspace.resolve(try a.string("path"))
            let from = try a.int("start_line") ?? 1, to = try a.int("end_line")
            return Plan(request: nil) { [self] in try readFile(path, from: from, to: to) }
        case "list_dir":
            let path = try workspace.resolve(try a.optionalString("path") ?? ".")
            return Plan(request: nil) { [self] in try listDir(path) }
        case "search":
            let pattern = try a.string("pattern")
            guard !pattern.isEmpty else { throw ToolError("The search pattern is empty.") }
            let path = try workspace.resolve(try a.optionalString("path") ?? ".")
            let s = try TextSearch(pattern: pattern, regex: try a.bool("regex") ?? false, ignoreCase: try a.bool("ignore_case") ?? false,
                                   include: try a.optionalString("include"), maxResults: max(1, min(try a.int("max_results") ?? limits.searchMaxResults, 10_000)),
                                   maxFileBytes: limits.searchMaxFileBytes)
            return Plan(request: nil) { [self] in ToolOutcome(output: try s.run(in: path, workspace: workspace), exitStatus: 0) }
        case "write_file":
            let shown = try a.string("path"), content = try a.string("content")
            let path = try workspace.resolve(shown, forWriting: true)
            let old = try existingText(path)
            let diff = TextDiff.unified(old: old ?? "", new: content, path: workspace.relative(path))
            let lines = TextDiff.lines(content).count
            let summary = old == nil ? "Create \(workspace.relative(path)) (\(lines) lines)" : "Overwrite \(workspace.relative(path)) (\(lines) lines)"
            let request = ApprovalRequest(call: call, kind: .write, summary: summary, preview: TextDiff.preview(diff, path: workspace.relative(path), isNew: old == nil))
            return Plan(request: request) { [self] in
                try writeText(path, content)
                let note = old == nil ? "Created" : "Wrote"
                return ToolOutcome(output: "\(note) \(workspace.relative(path)) (\(content.utf8.count) bytes, \(lines) lines)." + (old == nil || diff.isEmpty ? "" : "\n" + diff), exitStatus: 0)
            }
        case "edit_file":
            let path = try workspace.resolve(try a.string("path"))
            let oldText = try a.string("old_text"), newText = try a.string("new_text"), all = try a.bool("replace_all") ?? false
            let (edited, count) = try Self.replace(in: try existingText(path) ?? "", path: workspace.relative(path), old: oldText, new: newText, all: all)
            let diff = TextDiff.unified(old: try existingText(path) ?? "", new: edited, path: workspace.relative(path))
            let request = ApprovalRequest(call: call, kind: .write, summary: "Edit \(workspace.relative(path)) (\(count) replacement\(count == 1 ? "" : "s"))",
                                          preview: TextDiff.preview(diff, path: workspace.relative(path), isNew: false))
            return Plan(request: request) { [self] in
                // Re-read: the file may have changed while the user was deciding.
                let (now, n) = try Self.replace(in: try existingText(path) ?? "", path: workspace.relative(path), old: oldText, new: newText, all: all)
                try writeText(path, now)
                return ToolOutcome(output: "Edited \(workspace.relative(path)) (\(n) replacement\(n == 1 ? "" : "s")).\n" + diff, exitStatus: 0)
            }
        case "run_command":
            let command = try a.string("command")
            guard !PythonText.strip(command).isEmpty else { throw ToolError("The command is empty.") }
            let timeout = min(max(1, try a.double("timeout_seconds") ?? limits.defaultCommandTimeout), limits.maxCommandTimeout)
            let request = ApprovalRequest(call: call, kind: .run, summary: "Run: " + (command.split(separator: "\n").first.map(String.init) ?? command),
                                          preview: .command(line: command, directory: workspace.root, timeoutSeconds: Int(timeout)))
            return Plan(request: request) { [self] in
                let r = try CommandRunner.run(command, in: workspace.root, timeout: timeout, outputLimit: limits.outputBytes)
                var out = r.output
                if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
                out += r.timedOut ? "[timed out after \(Int(timeout)) s; the command was killed]" : "[exit status \(r.exitStatus)]"
                return ToolOutcome(output: out, exitStatus: r.timedOut ? 124 : r.exitStatus, truncated: r.truncated)
            }
        default:
            throw ToolError("There is no tool named \(call.name); the tools are \(Self.names.joined(separator: ", ")).")
        }
    }

    // MARK: the tools

    func readFile(_ path: String, from: Int, to: Int?) throws -> ToolOutcome {
        guard from >= 1 else { throw ToolError("start_line must be 1 or more.") }
        if let to, to < from { throw ToolError("end_line \(to) is before start_line \(from).") }
        guard let text = try existingText(path) else { throw ToolError("\(workspace.relative(path)) does not exist.") }
        let lines = TextDiff.lines(text)
        let last = min(lines.count, to ?? (from + limits.defaultReadLines - 1))
        guard from <= max(lines.count, 1) else { throw ToolError("\(workspace.relative(path)) has only \(lines.count) lines.") }
        var out = ""
        if from <= last {
            for n in from...last { out += String(n).leftPadded(6) + "\t" + lines[n - 1] + "\n" }
        }
        if from > 1 || last < lines.count { out += "[lines \(from)–\(last) of \(lines.count)]" } else if lines.isEmpty { out = "[empty file]" }
        return ToolOutcome(output: out, exitStatus: 0)
    }

    func listDir(_ path: String) throws -> ToolOutcome {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ToolError("\(workspace.relative(path)) is not a folder.")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0 != ".git" }.sorted()
        var out = ""
        for name in names.prefix(limits.listMaxEntries) {
            let full = path + "/" + name
            let attrs = try? FileManager.default.attributesOfItem(atPath: full)
            let type = attrs?[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?"
                out += "\(name) -> \(target)\n"
            } else if type == .typeDirectory {
                out += name + "/\n"
            } else {
                out += "\(name)  (\((attrs?[.size] as? NSNumber)?.intValue ?? 0) bytes)\n"
            }
        }
        if names.count > limits.listMaxEntries { out += "[\(names.count - limits.listMaxEntries) more entries not shown]\n" }
        return ToolOutcome(output: out.isEmpty ? "[empty folder]" : out, exitStatus: 0)
    }

    /// The file's text, nil when it does not exist; binary and oversized files are refused.
    func existingText(_ path: String) throws -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        if isDir.boolValue { throw ToolError("\(workspace.relative(path)) is a folder, not a file.") }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.readFileMaxBytes else { throw ToolError("\(workspace.relative(path)) is too large (\(size) bytes) to read as text.") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("\(workspace.relative(path)) cannot be read.") }
        if data.prefix(8192).contains(0) { throw ToolError("\(workspace.relative(path)) is a binary file.") }
        return String(decoding: data, as: UTF8.self)
    }

    func writeText(_ path: String, _ text: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The folders now exist: check again that nothing on the way leads outside.
        _ = try workspace.resolve(dir)
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ToolError("Could not write \(workspace.relative(path)) (\(error.localizedDescription)).")
        }
    }

    static func replace(in text: String, path: String, old: String, new: String, all: Bool) throws -> (String, Int) {
        guard !old.isEmpty else { throw ToolError("old_text is empty.") }
        let parts = PythonText.split(text, old)
        let count = parts.count - 1
        if count == 0 { throw ToolError("old_text was not found in \(path); it must match exactly, including spaces and line breaks.") }
        if count > 1 && !all { throw ToolError("old_text occurs \(count) times in \(path); include more surrounding text so it is unique, or set replace_all.") }
        return (parts.joined(separator: new), count)
    }
}

/// Typed access to a tool call's arguments, tolerating numbers and booleans written as strings.
struct Args {
    let call: ToolCall
    init(_ c: ToolCall) { call = c }
    func value(_ k: String) -> JSONValue? { let v = call.arguments[k]; return v == .null ? nil : v }

    func string(_ k: String) throws -> String {
        guard let v = value(k) else { throw ToolError("\(call.name) needs the argument \(k).") }
        guard let s = v.stringValue else { throw ToolError("The argument \(k) of \(call.name) must be text.") }
        return s
    }
    func optionalString(_ k: String) throws -> String? { value(k) == nil ? nil : try string(k) }
    func int(_ k: String) throws -> Int? {
        guard let v = value(k) else { return nil }
        if let i = v.intValue { return i }
        if let d = v.doubleValue, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        if let s = v.stringValue, let i = Int(PythonText.strip(s)) { return i }
        throw ToolError("The argument \(k) of \(call.name) must be a whole number.")
    }
    func double(_ k: String) throws -> Double? {
        guard let v = value(k) else { return nil }
        if let d = v.doubleValue { return d }
        if let s = v.stringValue, let d = Double(PythonText.strip(s)) { return d }
        throw ToolError("The argument \(k) of \(call.name) must be a number.")
    }
    func bool(_ k: String) throws -> Bool? {
        guard let v = value(k) else { return nil }
        if let b = v.boolValue { return b }
        if let s = v.stringValue?.lowercased(), s == "true" || s == "false" { return s == "true" }
        throw ToolError("The argument \(k) of \(call.name) must be true or false.")
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
