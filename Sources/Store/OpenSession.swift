// One open conversation: holds the writer lock, rewrites the file after each message, throttles partial saves.
import Chat
import Foundation

/// Returned by `SessionStore.create`/`open`. Thread-safe (calls are serialised by an internal lock), so the
/// UI may save from the thread that receives the backend's events.
public final class OpenSession: @unchecked Sendable {
    public let id: String
    public let path: String
    public let isReadOnly: Bool
    /// Minimum time between two partial saves of a streaming reply; completed messages are always saved at once.
    public var partialInterval: TimeInterval {
        get { mutex.withLock { interval } }
        set { mutex.withLock { interval = newValue } }
    }

    private let mutex = NSLock()
    private let codec: SessionCodec
    private let clock: @Sendable () -> Date
    private let syncToDisk: Bool
    private var interval: TimeInterval
    private var state: Session                // completed messages only
    private var partial: Message?             // the reply being streamed, saved with "incomplete": true
    private var partialSaved = true           // the file holds `partial` as it is now
    private var lastPartialWrite: Date?
    private var fileLock: SessionLock?
    private let cache = MessageCache()
    private var isClosed = false
    /// Bytes of the file as read, when it was an older format version: copied to backup/ before the first rewrite.
    private var backup: (bytes: [UInt8], version: Int)?

    init(session: Session, path: String, lock: SessionLock?, codec: SessionCodec, partialInterval: TimeInterval,
         clock: @escaping @Sendable () -> Date, syncToDisk: Bool = true, backup: (bytes: [UInt8], version: Int)? = nil) {
        var s = session
        self.id = s.id; self.path = path; self.fileLock = lock; self.isReadOnly = lock == nil
        self.codec = codec; self.interval = partialInterval; self.clock = clock; self.syncToDisk = syncToDisk; self.backup = backup
        s.id = id
        self.state = s
    }

    /// The conversation as saved, plus the partial reply if one is streaming.
    public var session: Session {
        mutex.withLock {
            var s = state
            if let p = partial { s.messages.append(p) }
            return s
        }
    }
    public var messages: [Message] { session.messages }

    /// Replaces the saved messages with `messages` (all of them, in order) and writes the file now.
    /// Ends any partial reply: the caller passes the finished reply as part of `messages`.
    public func save(_ messages: [Message]) throws {
        try mutex.withLock {
            try checkWritable()
            state.messages = messages
            partial = nil; partialSaved = true; lastPartialWrite = nil
            try writeLocked()
        }
    }

    /// Adds one completed message and writes the file now.
    public func append(_ message: Message) throws {
        try mutex.withLock {
            try checkWritable()
            state.messages.append(message)
            partial = nil; partialSaved = true; lastPartialWrite = nil
            try writeLocked()
        }
    }

    /// Records the reply being streamed (as it is so far) and writes it, marked incomplete, unless the last
    /// partial write was less than `partialInterval` ago. Returns whether it wrote.
    @discardableResult
    public func savePartial(_ message: Message) throws -> Bool {
        try mutex.withLock {
            try checkWritable()
            var m = message
            m.incomplete = true
            partial = m
            partialSaved = false
            let now = clock()
            if let last = lastPartialWrite, now.timeIntervalSince(last) < interval, now >= last { return false }
            try writeLocked()
            lastPartialWrite = now
            return true
        }
    }

    /// Writes a partial reply held back by the throttle, if any.
    public func flush() throws {
        try mutex.withLock {
            guard !isClosed, !isReadOnly, !partialSaved else { return }
            try writeLocked()
            lastPartialWrite = clock()
        }
    }

    /// Changes header fields (title, model, settings) and writes. The id and the messages are not changed here.
    public func update(_ change: (inout Session) -> Void) throws {
        try mutex.withLock {
            try checkWritable()
            var s = state
            change(&s)
            s.id = state.id; s.messages = state.messages
            s.keptDocument = state.keptDocument; s.keptMessages = state.keptMessages
            state = s
            try writeLocked()
        }
    }

    /// Sets the title; an empty title goes back to the default made from the first user message.
    public func setTitle(_ title: String) throws {
        let t = title.trimmingCharacters(in: .whitespacesAndNewlines)
        try update { $0.title = t }
    }

    /// Writes any held-back partial reply and releases the lock. Further saves throw; closing twice is harmless.
    public func close() throws {
        try mutex.withLock {
            guard !isClosed else { return }
            defer { isClosed = true; fileLock?.release(); fileLock = nil }
            if !isReadOnly && !partialSaved { try writeLocked() }
        }
    }

    deinit { fileLock?.release() }

    // MARK: private (called with `mutex` held)

    private func checkWritable() throws {
        if isClosed { throw StoreError.closed(id: id) }
        if isReadOnly { throw StoreError.readOnly(id: id) }
    }

    private func writeLocked() throws {
        var doc = state
        if let p = partial { doc.messages.append(p) }
        doc.updated = clock()
        if doc.title.isEmpty, let t = SessionTitle.default(for: doc.messages) { doc.title = t }
        let bytes = try codec.encode(doc, cache: cache)
        do throws(FileSystemError) {
            if let b = backup {
                let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path + "/backup"
                try AtomicFile.makeDirectory(dir)
                try AtomicFile.write(b.bytes, to: "\(dir)/\(id).v\(b.version).json")
                backup = nil
            }
            try AtomicFile.write(bytes, to: path, sync: syncToDisk)
        } catch {
            throw StoreError.fileSystem(error)
        }
        state.updated = doc.updated
        state.title = doc.title
        partialSaved = true
    }
}
