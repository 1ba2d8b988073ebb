// A file as it was just before a tool call replaced it, handed to a keeper (App's checkpoint store) before
// the write happens, so that the write can be undone byte for byte.
import Foundation

public struct WriteCheckpoint: Sendable, Equatable {
    public var callID: String
    /// The real path written (links resolved).
    public var path: String
    /// The path as the workspace shows it, for messages ("src/a.swift").
    public var shown: String
    /// The file before the write; nil when it did not exist.
    public var before: FileSnapshot?
    /// SHA-256 (hex) of the bytes the write puts there: undo restores only a file still holding them.
    public var writtenSHA256: String
    public init(callID: String, path: String, shown: String, before: FileSnapshot?, writtenSHA256: String) {
        self.callID = callID; self.path = path; self.shown = shown; self.before = before; self.writtenSHA256 = writtenSHA256
    }
}

public protocol CheckpointKeeper: Sendable {
    /// Keeps `c` before its write; throwing stops the write (nothing is written without its checkpoint).
    func keep(_ c: WriteCheckpoint) throws
    /// Forgets `c`: its write failed, the file is as it was.
    func discard(_ c: WriteCheckpoint)
}
