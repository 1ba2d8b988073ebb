// Each tool's plan: its arguments checked, what the user is shown (a diff against the file as it is now,
// the exact command line), and the work that runs after the yes, bound to what was shown.
import Foundation

extension CodingTools {
    /// Checks `call` and plans it; throws the refusal's sentence when it cannot run.
    public func plan(_ call: ToolCall) throws -> ToolPlan {
        if let why = call.malformed { throw ToolError("The call to \(call.name) could not be read: \(why). Write it again, complete.") }
        let a = Args(call)
        func read(_ action: @escaping @Sendable () throws -> ToolOutcome) -> ToolPlan {
            ToolPlan(call: call, request: ApprovalRequest(call: call, kind: .read, summary: call.name, preview: .arguments(call.arguments.serialized(.pretty)))) { _ in
                try action()
            }
        }
        switch call.name {
        case "read_file":
            let path = try workspace.resolve(try a.string("path"))
            let from = try a.int("start_line") ?? 1, to = try a.int("end_line")
            return read { [self] in try readFile(path, from: from, to: to) }
        case "list_dir":
            let path = try workspace.resolve(try a.optionalString("path") ?? ".")
            return read { [self] in try listDir(path) }
        case "search":
            let pattern = try a.string("pattern")
            guard !pattern.isEmpty else { throw ToolError("The search pattern is empty.") }
            let path = try workspace.resolve(try a.optionalString("path") ?? ".")
            let s = try TextSearch(pattern: pattern, regex: try a.bool("regex") ?? false, ignoreCase: try a.bool("ignore_case") ?? false,
                                   include: try a.optionalString("include"), maxResults: max(1, min(try a.int("max_results") ?? limits.searchMaxResults, 10_000)),
                                   maxFileBytes: limits.searchMaxFileBytes)
            return read { [self] in ToolOutcome(output: try s.run(in: path, workspace: workspace), exitStatus: 0) }
        case "write_file":
            let content = try a.string("content")
            let path = try workspace.resolve(try a.string("path"), forWriting: true)
            let rel = workspace.relative(path)
            let before = try editable(path)
            let bytes = try writable(content, rel)
            let old = before?.strictText
            let diff = TextDiff.unified(old: old ?? "", new: content, path: rel)
            let lines = TextDiff.lines(content).count
            let request = ApprovalRequest(call: call, kind: .write, summary: "\(old == nil ? "Create" : "Overwrite") \(rel) (\(lines) lines)",
                                          preview: TextDiff.preview(diff, path: rel, isNew: old == nil))
            return ToolPlan(call: call, request: request) { [self] run in
                try commit(bytes, to: path, over: before, call: call, run)
                return ToolOutcome(output: "\(old == nil ? "Created" : "Wrote") \(rel) (\(bytes.count) bytes, \(lines) lines)."
                                   + (old == nil || diff.isEmpty ? "" : "\n" + diff), exitStatus: 0)
            }
        case "edit_file":
            let path = try workspace.resolve(try a.string("path"))
            let rel = workspace.relative(path)
            let oldText = try a.string("old_text"), newText = try a.string("new_text"), all = try a.bool("replace_all") ?? false
            guard let before = try editable(path), let text = before.strictText else { throw ToolError("\(rel) does not exist.") }
            let (edited, count) = try Self.replace(in: text, path: rel, old: oldText, new: newText, all: all)
            let bytes = try writable(edited, rel)
            let diff = TextDiff.unified(old: text, new: edited, path: rel)
            let replacements = "\(count) replacement\(count == 1 ? "" : "s")"
            let request = ApprovalRequest(call: call, kind: .write, summary: "Edit \(rel) (\(replacements))",
                                          preview: TextDiff.preview(diff, path: rel, isNew: false))
            return ToolPlan(call: call, request: request) { [self] run in
                try commit(bytes, to: path, over: before, call: call, run)
                return ToolOutcome(output: "Edited \(rel) (\(replacements)).\n" + diff, exitStatus: 0)
            }
        case "run_command":
            let command = try a.string("command")
            guard !PythonText.strip(command).isEmpty else { throw ToolError("The command is empty.") }
            let timeout = min(max(1, try a.double("timeout_seconds") ?? limits.defaultCommandTimeout), limits.maxCommandTimeout)
            let request = ApprovalRequest(call: call, kind: .run, summary: "Run: " + (command.split(separator: "\n").first.map(String.init) ?? command),
                                          preview: .command(line: command, directory: workspace.root, timeoutSeconds: Int(timeout)))
            return ToolPlan(call: call, request: request) { [self] run in try runCommand(command, timeout: timeout, run) }
        default:
            throw ToolError("There is no tool named \(call.name); the tools are \(Self.names.joined(separator: ", ")).")
        }
    }

    /// Runs a command with the clean environment, passing its output on as it comes.
    func runCommand(_ command: String, timeout: Double, _ run: ToolRun) throws -> ToolOutcome {
        let r = try CommandRunner.run(command, in: workspace.root, timeout: timeout, outputLimit: limits.outputBytes,
                                      environment: environment.variables(), stop: run.stop, output: run.output)
        var out = r.output
        if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
        let status: Int
        if r.stopped {
            out += "[stopped by you after \(String(format: "%.1f", r.seconds)) s]"
            status = 130
        } else if r.timedOut {
            out += "[timed out after \(Int(timeout)) s; the command was killed]"
            status = 124
        } else {
            out += "[exit status \(r.exitStatus)]"
            status = r.exitStatus
        }
        return ToolOutcome(output: out, exitStatus: status, truncated: r.truncated, stopped: r.stopped)
    }
}
