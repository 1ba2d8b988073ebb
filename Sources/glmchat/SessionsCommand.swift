// `glmchat sessions list|show|rename|delete|restore|export|search|import|prune-cache`: the saved conversations
// (and their KV caches) from the shell. Their text goes out through `Stdout`: escaped on a terminal, exact to a file or pipe.
import ArgumentParser
import Chat
import Foundation
import Store

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List, show, rename, delete, restore, export, search and import saved conversations; empty their KV cache.",
        discussion: "IDs may be shortened to any unique prefix. The folder is --sessions-dir, else $GLMCHAT_SESSIONS_DIR, else $XDG_DATA_HOME/glmchat/sessions (default ~/.local/share/glmchat/sessions).",
        subcommands: [List.self, Show.self, Rename.self, Delete.self, Restore.self, Export.self, Search.self, Import.self, PruneCache.self],
        defaultSubcommand: List.self
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("sessions-dir"), help: "The sessions folder.") var sessionsDir: String?
        var store: SessionStore { SessionStore(directory: sessionsDir) }
    }

    static func date(_ d: Date?) -> String {
        guard let d else { return "-" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, most recently updated first.")
        @OptionGroup var location: Location
        @Flag(help: "List the trash instead.") var trash = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = location.store
            let rows = trash ? store.listTrash() : store.list()
            if json {
                let items: [JSONValue] = rows.map { r in
                    var kv: [(String, JSONValue)] = [("id", .string(r.id)), ("title", .string(r.title)), ("messages", .int(r.messageCount)),
                                                     ("updated", .string(ISO8601DateFormatter().string(from: r.updated))), ("path", .string(r.path))]
                    if let m = r.model { kv.append(("model", .string(m))) }
                    if let f = r.firstUserLine { kv.append(("first_user_line", .string(f))) }
                    if r.incomplete { kv.append(("incomplete", .bool(true))) }
                    if let d = r.damage { kv.append(("damaged", .string(d.description))) }
                    if !trash { kv.append(("kv_cache_bytes", .int(Int(store.kvCacheBytes(for: r.id))))) }
                    return .object(kv)
                }
                Stdout.write(JSONValue.array(items).serialized(.pretty) + "\n", style: .json)
                return
            }
            if rows.isEmpty { Stdout.print(trash ? "The trash is empty." : "No sessions in \(store.directory)."); return }
            for r in rows {
                if let d = r.damage {
                    Stdout.print("\(r.id.padding(toLength: 12, withPad: " ", startingAt: 0))  \(SessionsCommand.date(r.updated))  DAMAGED: \(d)")
                    continue
                }
                let count = "\(r.messageCount) msg".padding(toLength: 8, withPad: " ", startingAt: 0)
                let model = (r.model ?? "-").prefix(24).padding(toLength: 24, withPad: " ", startingAt: 0)
                let kv = trash ? 0 : store.kvCacheBytes(for: r.id)
                let cache = (kv > 0 ? "kv " + megabytes(kv) : "").padding(toLength: 12, withPad: " ", startingAt: 0)
                Stdout.print("\(r.id.padding(toLength: 12, withPad: " ", startingAt: 0))  \(SessionsCommand.date(r.updated))  \(count) \(model)  \(cache)  \(r.title)\(r.incomplete ? " (cut off)" : "")")
            }
            if !trash {
                let files = store.kvCacheFiles()
                if !files.isEmpty {
                    Stdout.print("KV cache: \(megabytes(files.reduce(0) { $0 + $1.bytes })) in \(files.count) file\(files.count == 1 ? "" : "s") (\(store.kvDirectory)); glmchat sessions prune-cache empties it.")
                }
            }
        }
    }


    struct PruneCache: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune-cache",
            abstract: "Delete the engine's KV caches of saved conversations (the next reply of each prefills its prompt again).")
        @OptionGroup var location: Location

        func run() throws {
            let store = location.store
            let removed = store.removeKVCache()
            let left = store.kvCacheFiles()
            print("Deleted \(removed.count) KV cache file\(removed.count == 1 ? "" : "s") (\(megabytes(removed.reduce(0) { $0 + $1.bytes }))) from \(store.kvDirectory).")
            if !left.isEmpty { fail("\(left.count) KV cache file\(left.count == 1 ? "" : "s") in \(store.kvDirectory) could not be deleted.") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one conversation.")
        @OptionGroup var location: Location
        @Argument(help: "Session id or unique prefix.") var id: String

        func run() throws {
            let s = reportingErrors { try location.store.load(id) }
            Stdout.print(s.displayTitle)
            var meta = [s.id]
            if let m = s.model?.name ?? s.model?.path { meta.append(m) }
            meta += ["created \(SessionsCommand.date(s.created))", "updated \(SessionsCommand.date(s.updated))", "\(s.messages.count) messages"]
            Stdout.print(meta.joined(separator: " · "))
            for m in s.messages {
                var head = "── \(m.role.rawValue)"
                if let r = m.toolResult {
                    head += ": \(r.name)"
                    if let e = r.exitStatus { head += " (exit \(e))" }
                    if r.denied == true { head += " (denied)" }
                    if r.stopped == true { head += " (stopped)" }
                    if r.undone == true { head += " (undone)" }
                }
                if m.incomplete { head += " (cut off)" }
                Stdout.print("\n\(head) ──")
                if let r = m.reasoning, !r.isEmpty {
                    Stdout.print("thinking:")
                    Stdout.print(r.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
                    if !m.content.isEmpty { Stdout.print("answer:") }
                }
                if !m.content.isEmpty { Stdout.print(m.content) }
                for c in m.toolCalls { Stdout.print("→ \(c.name) \(c.arguments.serialized(.compact))") }
                if let c = s.compaction, c.through == m.id {
                    Stdout.print("\n── summary of \(c.messages) earlier messages, sent to the model in their place\(c.edited ? " (edited)" : "") ──")
                    Stdout.print(c.summary)
                }
            }
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a session's title (an empty title restores the default).")
        @OptionGroup var location: Location
        @Argument(help: "Session id or unique prefix.") var id: String
        @Argument(help: "The new title.") var title: String

        func run() throws {
            let store = location.store
            reportingErrors { try store.rename(id, to: title) }
            let s = reportingErrors { try store.load(id) }
            Stdout.print("\(s.id): \(s.displayTitle)")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a session to the trash (see `restore`).")
        @OptionGroup var location: Location
        @Argument(help: "Session id or unique prefix.") var id: String

        func run() throws {
            let store = location.store
            let full = reportingErrors { try store.delete(id) }
            print("Moved \(full) to \(store.trashDirectory); `glmchat sessions restore \(full)` brings it back.")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring a session back from the trash.")
        @OptionGroup var location: Location
        @Argument(help: "Session id or unique prefix (of a session in the trash).") var id: String

        func run() throws {
            let full = reportingErrors { try location.store.restore(id) }
            print("Restored \(full).")
        }
    }

    struct Export: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }
        static let configuration = CommandConfiguration(abstract: "Export a session as Markdown or OpenAI-style messages JSON.")
        @OptionGroup var location: Location
        @Argument(help: "Session id or unique prefix.") var id: String
        @Option(help: "md (reasoning and tool calls in <details> blocks) or json ({\"model\", \"messages\"}).") var format: Format = .md
        @Option(name: [.short, .customLong("output")], help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            let store = location.store
            let text = reportingErrors { format == .md ? try store.exportMarkdown(id) : try store.exportOpenAI(id) }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else { fail("Could not write \(output)") }
            } else {
                Stdout.write(text, style: format == .json ? .json : .swift)
            }
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find sessions containing TEXT (case-insensitive).")
        @OptionGroup var location: Location
        @Argument(help: "The text to look for.") var text: String

        func run() throws {
            let hits = location.store.search(text)
            if hits.isEmpty { Stdout.print("No session contains \"\(text)\"."); return }
            for h in hits {
                Stdout.print("\(h.summary.id)  \(SessionsCommand.date(h.summary.updated))  \(h.summary.title)")
                for m in h.matches.prefix(5) {
                    let where_ = m.messageIndex.map { "#\($0 + 1) \(m.role?.rawValue ?? "")\(m.field == "content" ? "" : " " + m.field)" } ?? "title"
                    Stdout.print("    [\(where_)] \(m.snippet)")
                }
                if h.matches.count > 5 { Stdout.print("    … \(h.matches.count - 5) more") }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a session from OpenAI-style messages JSON (a list, or an object with \"messages\").")
        @OptionGroup var location: Location
        @Argument(help: "The JSON file (- for standard input).") var file: String
        @Option(help: "Title for the new session (default: from the first user message).") var title: String = ""

        func run() throws {
            let data = file == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile()) : reportingErrors { try readUserFile(file, what: "file") }
            let id = reportingErrors { try location.store.importOpenAI(data, title: title) }
            print(id)
        }
    }
}
