// A backend that passes everything on to another and shows each of its events to an observer first
// (remote-probe prints them as JSON lines).
import Chat

public final class ObservedBackend: ChatBackend, @unchecked Sendable {
    let inner: ChatBackend
    let observe: @Sendable (ChatEvent) -> Void
    public init(_ inner: ChatBackend, observe: @escaping @Sendable (ChatEvent) -> Void) { self.inner = inner; self.observe = observe }
    public var modelName: String { inner.modelName }
    public var contextLength: Int { inner.contextLength }
    public func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        let observe = self.observe
        inner.send(request) { e in observe(e); onEvent(e) }
    }
    public func cancel() { inner.cancel() }
    public func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) { inner.measure(request, completion: completion) }
}
