// The built-in coding tools (read_file, list_dir, search, write_file, edit_file, run_command): their
// declarations in OpenAI function format, and the two steps of every call: a plan (checked, with what to
// show the user) and running exactly that plan, confined to the workspace and with output capped.
// Each tool's plan is in CodingTools+Plans, the file work in CodingTools+Files.
import Foundation

public struct ToolLimits: Sendable, Equatable {
    /// Output given to the model, in bytes (head + tail kept beyond it).
    public var outputBytes = 32_000
    public var readFileMaxBytes = 16 << 20
    /// Largest file write_file and edit_file replace or write (4 MiB): bigger ones are refused, untouched.
    public var writeMaxBytes = 4 << 20
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
    /// What run_command's processes get as their environment (the API key left out).
    public let environment: CommandEnvironment

    public init(workspace: Workspace, limits: ToolLimits = ToolLimits(), environment: CommandEnvironment = CommandEnvironment()) {
        self.workspace = workspace; self.limits = limits; self.environment = environment
    }

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

    /// What `call` would do, checked but not run: the request to show (reads too, kind `.read`), or the
    /// refusal the model gets when the call cannot run.
    public func prepare(_ call: ToolCall) -> ToolPreparation {
        do { return .ready(try plan(call).request) } catch { return .refused(Self.refusal(error, answering: call)) }
    }

    /// The `tool` message for a call that could not be planned.
    public static func refusal(_ error: Error, answering call: ToolCall) -> Message {
        ToolOutcome(output: "Error: \(error)", exitStatus: 1).message(answering: call)
    }

    /// Runs `plan` on the calling thread (it blocks while a command runs). Never throws: problems become the
    /// output the model sees, capped.
    public func run(_ plan: ToolPlan, _ context: ToolRun = ToolRun()) -> ToolOutcome {
        let start = CommandRunner.monotonic()
        var o: ToolOutcome
        do { o = try plan.action(context) } catch { o = ToolOutcome(output: "Error: \(error)", exitStatus: 1) }
        let capped = OutputCap.apply(o.output, limit: limits.outputBytes)
        o.output = capped.text
        o.truncated = o.truncated || capped.truncated
        o.seconds = CommandRunner.monotonic() - start
        return o
    }

    /// Plans, asks for approval when needed, runs. Never throws: problems become the output the model sees.
    public func execute(_ call: ToolCall, approve: @Sendable (ApprovalRequest) async -> ApprovalDecision) async -> ToolOutcome {
        let plan: ToolPlan
        do { plan = try self.plan(call) } catch { return ToolOutcome(output: "Error: \(error)", exitStatus: 1) }
        if plan.request.kind.needsApproval, case .deny(let why) = await approve(plan.request) {
            return ToolOutcome(output: "The user declined this \(plan.request.kind == .run ? "command" : "change")" + (why.map { ": \($0)." } ?? "."),
                               exitStatus: 1, denied: true)
        }
        return await withCheckedContinuation { cont in
            DispatchQueue.global().async { cont.resume(returning: self.run(plan)) }
        }
    }
}

/// A checked call, ready to run exactly as its request shows it.
public struct ToolPlan: Sendable {
    public let call: ToolCall
    /// What to show before it runs (reads: kind `.read`, run without asking).
    public let request: ApprovalRequest
    let action: @Sendable (ToolRun) throws -> ToolOutcome
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
