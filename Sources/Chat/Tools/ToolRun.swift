// What a running tool call can reach besides its arguments: where its live output goes, the flag that asks
// it to stop, and the keeper of what its writes replace.
import Foundation

/// Set once by whoever wants the call stopped (Esc, quitting); the command runner checks it as it polls.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    public init() {}
    public func stop() { lock.lock(); stopped = true; lock.unlock() }
    public var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

public struct ToolRun: Sendable {
    /// A command's output as it is printed (whole UTF-8 characters), from the runner's thread.
    public var output: @Sendable (String) -> Void
    public var stop: StopFlag
    /// Keeps the old bytes before a write replaces them; nil keeps nothing (no undo).
    public var checkpoints: CheckpointKeeper?
    public init(output: @escaping @Sendable (String) -> Void = { _ in }, stop: StopFlag = StopFlag(), checkpoints: CheckpointKeeper? = nil) {
        self.output = output; self.stop = stop; self.checkpoints = checkpoints
    }
}
