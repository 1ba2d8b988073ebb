// The sessions folder: where it is, and create/open/list/rename/delete/restore of the conversations in it.
//
// Files: `<dir>/<id>.json` (format in SessionCodec.swift), `<dir>/.<id>.lock` while a process writes one,
// `<dir>/trash/<id>.json` after delete, `<dir>/backup/<id>.v<N>.json` before an older format is rewritten,
// `<dir>/.index.json` a cache of list rows (SessionIndex.swift), `<dir>/kv/<id>.kv` the engine's KV cache of a
// conversation (written by App's KVSnapshotKeeper; deleted with the conversation, never moved to the trash).
//
// API for the TUI:
//
//     let store = SessionStore()                              // $GLMCHAT_SESSIONS_DIR, $XDG_DATA_HOME/glmchat/sessions,
//                                                             // or ~/.local/share/glmchat/sessions; or
//                                                             // SessionStore(directory: sessionsDirFlag)
//     let rows = store.list()                                 // newest first, from an index (cheap); rows with
//                                                             // `damage != nil` show the reason and cannot be opened
//     let s = try store.create(model: m, settings: st)        // new file, locked for this process (create it when
//                                                             // the first message is sent, not on start-up)
//     let s = try store.open(idOrPrefix)                      // throws StoreError.locked(id:pid:) if another
//                                                             // process writes it, .damaged(...) if unusable
//     let r = try store.open(idOrPrefix, readOnly: true)      // no lock; save calls throw .readOnly
//     s.session / s.messages                                  // what is saved (+ the partial reply)
//     try s.append(userMessage)                               // written at once (temp, fsync, rename, fsync dir)
//     try s.savePartial(replySoFar)                           // call on every token: written with "incomplete": true
//                                                             // at most every `partialInterval` (2 s)
//     try s.save(allMessages)                                 // the finished reply (or edited history): at once
//     try s.update { $0.settings.thinking = false }           // header fields (do not call `s` inside); s.setTitle("…")
//     try s.close()                                           // writes a held-back partial, releases the lock
//     try s.flush()                                           // on SIGTERM/SIGHUP: writes a held-back partial now
//
// OpenSession is thread-safe, so savePartial may be called from the backend's event thread. Every save writes the
// whole file, but messages already written are not encoded again: a save costs about a copy of the file (27 ms for
// a 4 MB, 2000-message session in release, fsyncs included).
// A crash or kill -9 at any moment leaves the previous or the new complete file; the lock dies with the process.
// A reply cut off by a crash comes back as the last message with `incomplete == true`. It is part of the saved
// history like any other message: keep it (append continues after it) or drop it with `save(messagesWithoutIt)`
// before streaming a new reply.
// Other operations: load (unlocked snapshot), resolve (unique prefix), rename, delete (to trash/), restore,
// listTrash, search (SessionSearch.swift), exportMarkdown/exportOpenAI/importOpenAI (SessionExport.swift).
import Chat
import Foundation

/// One row of `SessionStore.list()`.
public struct SessionSummary: Sendable, Equatable {
    public var id: String
    public var path: String
    public var title: String
    public var firstUserLine: String?
    public var messageCount: Int
    public var model: String?
    public var created: Date?
    public var updated: Date
    /// The last message is a reply cut off while streaming.
    public var incomplete: Bool
    /// Why the file cannot be used; nil for a good file.
    public var damage: DamageReason?
    /// The title of the conversation this one was forked from.
    public var forkedFrom: String? = nil
}

public final class SessionStore: Sendable {
    public let directory: String
    public let codec: SessionCodec
    public let partialInterval: TimeInterval
    let clock: @Sendable () -> Date
    /// fsync after each session write (the default). Tests that kill processes turn it off to run fast: a killed
    /// process loses nothing the kernel already has, so only power loss needs the fsyncs, and no test can cut power.
    public let syncToDisk: Bool

    public var trashDirectory: String { directory + "/trash" }
    /// The KV snapshots of the conversations (one `<id>.kv` each).
    public var kvDirectory: String { directory + "/kv" }
    public func kvSnapshotPath(for id: String) -> String { "\(kvDirectory)/\(id).kv" }

    /// `directory` nil means `SessionStore.defaultDirectory()`. The folder is created (mode 0700) on first write.
    public init(directory: String? = nil, codec: SessionCodec = .current, partialInterval: TimeInterval = 2,
                clock: @escaping @Sendable () -> Date = { Date() }, syncToDisk: Bool = true) {
        self.directory = directory ?? Self.defaultDirectory()
        self.codec = codec; self.partialInterval = partialInterval; self.clock = clock; self.syncToDisk = syncToDisk
    }

    /// $GLMCHAT_SESSIONS_DIR, else $XDG_DATA_HOME/glmchat/sessions (when absolute), else ~/.local/share/glmchat/sessions.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = environment["GLMCHAT_SESSIONS_DIR"], !d.isEmpty { return d }
        if let x = environment["XDG_DATA_HOME"], x.hasPrefix("/") { return x + "/glmchat/sessions" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/glmchat/sessions"
    }

    public func path(for id: String) -> String { "\(directory)/\(id).json" }
    func lockPath(for id: String) -> String { "\(directory)/.\(id).lock" }

    static func isValidID(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 128 && s.first != "." && s.unicodeScalars.allSatisfy {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0))) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    // MARK: finding sessions

    /// Ids of the `*.json` files in `dir` (hidden files, temp files and folders are not sessions).
    func ids(in dir: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(5)) }
            .filter { Self.isValidID($0) && !isDirectory("\(dir)/\($0).json") }
            .sorted()
    }

    /// A real folder (not followed through symlinks: a link to nowhere is still listed, as damaged).
    private func isDirectory(_ p: String) -> Bool {
        var st = stat()
        return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The full id for an exact id or a unique prefix of one.
    public func resolve(_ idOrPrefix: String, inTrash: Bool = false) throws -> String {
        let s = idOrPrefix.hasSuffix(".json") ? String(idOrPrefix.dropLast(5)) : idOrPrefix
        guard Self.isValidID(s) else { throw StoreError.invalidID(idOrPrefix) }
        let all = ids(in: inTrash ? trashDirectory : directory)
        if all.contains(s) { return s }
        let matches = all.filter { $0.hasPrefix(s) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw StoreError.notFound(idOrPrefix) }
        throw StoreError.ambiguous(idOrPrefix, matches)
    }

    /// Reads one session without locking it (a snapshot).
    public func load(_ idOrPrefix: String) throws -> Session {
        let id = try resolve(idOrPrefix)
        return try read(id: id, at: path(for: id)).session
    }

    func read(id: String, at p: String, keepUnknown: Bool = true) throws -> (session: Session, bytes: [UInt8]) {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(p) } catch {
            var st = stat()
            if error.code == ENOENT && lstat(p, &st) != 0 { throw StoreError.notFound(id) }
            throw StoreError.damaged(id: id, path: p, reason: .unreadable(error.code == EFBIG ? "larger than 1 GiB" : error.reason ?? String(cString: strerror(error.code))))
        }
        switch codec.decode(bytes, id: id, keepUnknown: keepUnknown) {
        case .success(let s): return (s, bytes)
        case .failure(let r): throw StoreError.damaged(id: id, path: p, reason: r)
        }
    }

    // MARK: listing

    /// Every session, newest `updated` first; damaged files are included with their reason.
    public func list() -> [SessionSummary] { summaries(in: directory) }

    /// The pid of another live glmchat that has session `id` open for writing, if any (from its lock file).
    public func holder(of id: String) -> Int? { SessionLock.otherHolder("\(directory)/.\(id).lock") }

    /// The sessions in the trash, newest first.
    public func listTrash() -> [SessionSummary] { summaries(in: trashDirectory) }

    func summaries(in dir: String) -> [SessionSummary] {
        let index = SessionIndex.load(dir)
        let cached = index ?? [:]
        var fresh: [String: (FileStamp, SessionSummary)] = [:]
        var changed = false
        let rows = ids(in: dir).map { id -> SessionSummary in
            let p = "\(dir)/\(id).json"
            // Stamped before reading: if the file is replaced meanwhile, the next listing sees a new stamp and reads again.
            let stamp = FileStamp(path: p)
            if let stamp, let c = cached[id], c.0 == stamp { fresh[id] = c; return c.1 }
            do {
                let row = Self.summary(try read(id: id, at: p, keepUnknown: false).session, path: p)
                if let stamp { fresh[id] = (stamp, row); changed = true }
                return row
            } catch {
                let reason: DamageReason
                if case StoreError.damaged(_, _, let r) = error { reason = r } else { reason = .unreadable("\(error)") }
                let mtime = (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
                return SessionSummary(id: id, path: p, title: "(damaged)", firstUserLine: nil, messageCount: 0, model: nil,
                                      created: nil, updated: mtime, incomplete: false, damage: reason)
            }
        }
        if changed || fresh.count != cached.count || (index == nil && !rows.isEmpty) { SessionIndex.save(dir, fresh) }
        return rows.sorted { ($0.updated, $0.id) > ($1.updated, $1.id) }
    }

    static func summary(_ s: Session, path: String) -> SessionSummary {
        SessionSummary(id: s.id, path: path, title: s.displayTitle, firstUserLine: s.firstUserLine, messageCount: s.messages.count,
                       model: s.model?.name ?? s.model?.path.map { URL(fileURLWithPath: $0).lastPathComponent },
                       created: s.created, updated: s.updated, incomplete: s.endsIncomplete, damage: nil,
                       forkedFrom: s.settings.forkedFrom?.title)
    }

    // MARK: creating and opening

    /// A new session file, written at once and locked for this process.
    public func create(title: String = "", model: SessionModel? = nil, settings: SessionSettings = SessionSettings(),
                       messages: [Message] = []) throws -> OpenSession {
        do { try AtomicFile.makeDirectory(directory) } catch { throw StoreError.fileSystem(error) }
        for _ in 0..<8 {
            let id = Self.newID()
            let lock = try takeLock(id)
            let now = clock()
            var s = Session(id: id, title: title, created: now, updated: now, model: model, settings: settings, messages: messages)
            if s.title.isEmpty, let t = SessionTitle.default(for: messages) { s.title = t }
            do {
                try AtomicFile.write(try codec.encode(s), to: path(for: id), replace: false)
            } catch let e as FileSystemError where e.code == EEXIST {
                lock.release(); continue
            } catch let e as FileSystemError {
                lock.release(); throw StoreError.fileSystem(e)
            }
            return OpenSession(session: s, path: path(for: id), lock: lock, codec: codec, partialInterval: partialInterval, clock: clock,
                               syncToDisk: syncToDisk)
        }
        throw StoreError.exists(id: "(new)")
    }

    /// Opens a session for writing (locked) or, with `readOnly`, as a snapshot whose saves throw.
    public func open(_ idOrPrefix: String, readOnly: Bool = false) throws -> OpenSession {
        let id = try resolve(idOrPrefix)
        if readOnly {
            let s = try read(id: id, at: path(for: id)).session
            return OpenSession(session: s, path: path(for: id), lock: nil, codec: codec, partialInterval: partialInterval, clock: clock,
                               syncToDisk: syncToDisk)
        }
        let lock = try takeLock(id)
        do {
            let (s, bytes) = try read(id: id, at: path(for: id))
            removeStaleTempFiles(id)
            var backup: (bytes: [UInt8], version: Int)?
            if let v = (try? JSONValue.parse(bytes))?["version"]?.intValue, v < codec.version { backup = (bytes, v) }
            return OpenSession(session: s, path: path(for: id), lock: lock, codec: codec, partialInterval: partialInterval,
                               clock: clock, syncToDisk: syncToDisk, backup: backup)
        } catch {
            lock.release()
            throw error
        }
    }

    func takeLock(_ id: String) throws -> SessionLock {
        do { try AtomicFile.makeDirectory(directory) } catch { throw StoreError.fileSystem(error) }
        do { return try SessionLock.acquire(lockPath(for: id)) } catch {
            switch error {
            case .held(let pid): throw StoreError.locked(id: id, pid: pid)
            case .fileSystem(let e): throw StoreError.fileSystem(e)
            }
        }
    }

    /// Temp files a killed writer of `id` left behind (we hold the lock, so no live writer owns them).
    private func removeStaleTempFiles(_ id: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for n in names where n.hasPrefix(".\(id).json.") && n.hasSuffix(".tmp") { unlink("\(directory)/\(n)") }
    }

    static func newID() -> String {
        (0..<12).map { _ in String("0123456789abcdef".randomElement() ?? "0") }.joined()
    }

    // MARK: rename, delete, restore

    /// Sets the title (empty: back to the default). Refused while another process has the session open.
    public func rename(_ idOrPrefix: String, to title: String) throws {
        let s = try open(idOrPrefix)
        defer { try? s.close() }
        try s.setTitle(title)
    }

    /// Moves the session to the trash folder (restorable). Damaged files are refused: glmchat never moves them.
    @discardableResult
    public func delete(_ idOrPrefix: String) throws -> String {
        let id = try resolve(idOrPrefix)
        let lock = try takeLock(id)
        defer { lock.release() }
        _ = try read(id: id, at: path(for: id))
        do {
            try AtomicFile.makeDirectory(trashDirectory)
            guard Foundation.rename(path(for: id), "\(trashDirectory)/\(id).json") == 0 else {
                throw FileSystemError("move \(path(for: id)) to \(trashDirectory)")
            }
            try AtomicFile.syncDirectory(trashDirectory)
            try AtomicFile.syncDirectory(directory)
        } catch let e as FileSystemError {
            throw StoreError.fileSystem(e)
        }
        removeStaleTempFiles(id)
        // A restored session prefills again; its snapshot would only take room meanwhile.
        unlink(kvSnapshotPath(for: id))
        return id
    }

    /// Moves a session back from the trash; refused if a session with that id exists.
    @discardableResult
    public func restore(_ idOrPrefix: String) throws -> String {
        let id = try resolve(idOrPrefix, inTrash: true)
        let lock = try takeLock(id)
        defer { lock.release() }
        do { try AtomicFile.move("\(trashDirectory)/\(id).json", to: path(for: id)) } catch {
            if error.code == EEXIST { throw StoreError.exists(id: id) }
            throw StoreError.fileSystem(error)
        }
        return id
    }
}
