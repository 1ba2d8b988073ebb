// `remote-probe --history FILE`: sends the prompt after earlier turns through the chat's controller, so
// the context manager acts as in the TUI (fitting, and shrink-and-retry when the server says the prompt is
// too long). Prints each request's size, the backend's events and the notes the transcript shows.
import App
import Chat
import Foundation
import TUI

extension RemoteProbeCommand {
    /// Earlier turns from a JSON array of {"role": "system"|"user"|"assistant", "content": TEXT}.
    static func loadHistory(_ path: String) throws -> [Message] {
        let data = try readUserFile(path, what: "history file")
        guard let items = (try? JSONValue.parse(Array(data)))?.arrayValue else {
            throw RemoteOptionsError("The history file \(path) is not a JSON array of {\"role\", \"content\"} objects.")
        }
        return try items.enumerated().map { i, v in
            guard let text = v["content"]?.stringValue, let role = v["role"]?.stringValue.flatMap(Role.init(rawValue:)),
                  [.system, .user, .assistant].contains(role) else {
                throw RemoteOptionsError("Entry \(i + 1) of \(path) needs a \"role\" (system, user or assistant) and a \"content\" string.")
            }
            return Message(role: role, content: text)
        }
    }

    /// Runs one reply through the controller; returns whether it failed.
    func runThroughChat(_ backend: ChatBackend, history: [Message], sampling: SamplingParams, out: JSONLines) -> Bool {
        var state = AppState(modelName: backend.modelName, contextLength: backend.contextLength)
        state.settings.sampling = sampling
        state.settings.thinking = !noThink
        state.messages = history
        let c = ChatController(state: state, backend: ObservedBackend(backend) { out.write(Self.json($0)) }, persistence: nil)
        c.handle(.paste(prompt))
        c.handle(.key(KeyPress(.enter)))
        let deadline = Date().addingTimeInterval(Double(waitSeconds))
        while c.state.isBusy {
            if Date() > deadline { backend.cancel(); fail("The server's reply did not end within \(waitSeconds) seconds.") }
            if !c.processQueued() { _ = c.queue.waitForPost(timeout: 1) }
        }
        for m in c.state.messages {
            for n in c.state.messageNotes[m.id] ?? [] { out.write([("event", .string("note")), ("text", .string(n))]) }
        }
        return c.state.messages.last?.finishReason == .error
    }
}
