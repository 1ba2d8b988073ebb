// Hands events from other threads (backend, tools) to the UI loop without blocking either side.
import Foundation

public final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Event] = []
    private var wake: (@Sendable () -> Void)?
    private let signal = DispatchSemaphore(value: 0)

    public init() {}

    /// Called after each post (e.g. writes a byte to the UI loop's wake-up pipe).
    public func setWake(_ f: (@Sendable () -> Void)?) { lock.lock(); wake = f; lock.unlock() }

    /// Adds an event. The wake-up call runs under the lock, so once `setWake(nil)` returns no thread is
    /// still writing to the old pipe (its fd may be closed and reused right after).
    public func post(_ e: Event) {
        lock.lock()
        items.append(e)
        wake?()
        lock.unlock()
        signal.signal()
    }

    /// Everything posted so far, in order.
    public func drain() -> [Event] {
        lock.lock(); defer { lock.unlock() }
        let out = items
        items.removeAll()
        return out
    }

    /// Blocks until something was posted since the last wait (tests and headless runs).
    public func waitForPost(timeout: Double) -> Bool {
        signal.wait(timeout: .now() + timeout) == .success
    }
}

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double { ProcessInfo.processInfo.systemUptime }
