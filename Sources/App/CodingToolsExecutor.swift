// The built-in coding tools (Chat's CodingTools, confined to the workspace) as the controller's ToolExecutor:
// a call runs exactly as it was prepared (the plan behind the diff the user approved), commands can be
// stopped, and writes keep checkpoints for undo.
import Chat
import Foundation

public final class CodingToolsExecutor: ToolExecutor, @unchecked Sendable {
    let tools: CodingTools
    public let checkpoints: WriteCheckpoints
    private let lock = NSLock()
    /// Plans by call id, from prepare to run (the newest few: a denied call is never run).
    private var prepared: [(id: String, plan: ToolPlan)] = []
    private var running: [String: StopFlag] = [:]
    private let idle = NSCondition()

    /// `checkpoints` default: memory only, for this run.
    public init(_ tools: CodingTools, checkpoints: WriteCheckpoints = WriteCheckpoints(directory: nil)) {
        self.tools = tools; self.checkpoints = checkpoints
    }

    public var declarations: [JSONValue] { tools.declarations }
    public var needsApproval: Bool { true }

    public func prepare(_ call: ToolCall, completion: @escaping @Sendable (ToolPreparation) -> Void) {
        DispatchQueue.global().async { [self] in
            do {
                let plan = try tools.plan(call)
                lock.lock()
                prepared.removeAll { $0.id == call.id }
                prepared.append((call.id, plan))
                if prepared.count > 16 { prepared.removeFirst() }
                lock.unlock()
                completion(.ready(plan.request))
            } catch {
                completion(.refused(CodingTools.refusal(error, answering: call)))
            }
        }
    }

    public func run(_ call: ToolCall, conversationID: String?, output: @escaping @Sendable (String) -> Void,
                    completion: @escaping @Sendable (Message) -> Void) {
        let stop = StopFlag()
        lock.lock()
        let kept = prepared.first { $0.id == call.id && $0.plan.call == call }?.plan
        prepared.removeAll { $0.id == call.id }
        running[call.id] = stop
        lock.unlock()
        let context = ToolRun(output: output, stop: stop, checkpoints: checkpoints.keeper(conversationID: conversationID))
        // A thread of its own: a command may run for half an hour.
        Thread { [self] in
            let message: Message
            // A call run without being prepared (or with other arguments) is planned now.
            do { message = tools.run(try kept ?? tools.plan(call), context).message(answering: call) } catch {
                message = CodingTools.refusal(error, answering: call)
            }
            idle.lock(); lock.lock(); running[call.id] = nil; lock.unlock(); idle.broadcast(); idle.unlock()
            completion(message)
        }.start()
    }

    public func cancel(_ callID: String) {
        lock.lock(); defer { lock.unlock() }
        running[callID]?.stop()
        prepared.removeAll { $0.id == callID }
    }

    /// Stops every running call and waits (a few seconds at most) until their processes are gone, so that
    /// quitting leaves nothing running.
    public func cancelAll() {
        lock.lock()
        running.values.forEach { $0.stop() }
        prepared = []
        lock.unlock()
        let deadline = Date().addingTimeInterval(CommandRunner.stopGraceSeconds + 2)
        idle.lock()
        while hasRunning() && idle.wait(until: deadline) {}
        idle.unlock()
    }

    private func hasRunning() -> Bool { lock.lock(); defer { lock.unlock() }; return !running.isEmpty }

    public func undoLastWrite(conversationID: String, completion: @escaping @Sendable (UndoResult) -> Void) {
        let checkpoints = self.checkpoints
        DispatchQueue.global().async { completion(checkpoints.undoLast(conversationID: conversationID)) }
    }

    /// Forgets a conversation's checkpoints (when it is deleted).
    public func deleteCheckpoints(conversationID: String) { checkpoints.deleteCheckpoints(conversationID: conversationID) }
}
