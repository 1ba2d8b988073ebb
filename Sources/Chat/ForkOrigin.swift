// Where a forked conversation came from: the conversation it was copied out of, by id and by the title it had then.
public struct ForkOrigin: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public init(id: String, title: String) { self.id = id; self.title = title }
}
