// Versions of a message: a regenerated reply or an edited message keeps what it replaced — that message and
// everything after it — as another version of the same position, so nothing the user typed or the model wrote is
// lost, and ←/→ switches between them (llama.cpp WebUI's model). The shown version's first message holds the others.

/// The other versions of a position, each the messages from there on as they were (their first message without
/// versions of its own); `index` is where the shown version sits among all of them.
public struct Versions: Codable, Sendable, Equatable {
    public var others: [[Message]]
    public var index: Int
    public init(others: [[Message]], index: Int) { self.others = others; self.index = index }
}

extension Message {
    public var versionCount: Int { (versions?.others.count ?? 0) + 1 }
    public var versionIndex: Int { versions?.index ?? 0 }
}

extension Array where Element == Message {
    /// All versions of position `i`, in order, the shown one (`self[i...]`) among them at its index.
    func allVersions(at i: Int) -> [[Message]] {
        var shown = Array(self[i...])
        let v = shown[0].versions
        shown[0].versions = nil
        var all = v?.others ?? []
        all.insert(shown, at: Swift.min(v?.index ?? 0, all.count))
        return all
    }

    /// The versions a new message at `i` gets when it replaces `self[i...]`: every version so far, the new one shown last.
    public func versionsReplacing(at i: Int) -> Versions {
        let all = allVersions(at: i)
        return Versions(others: all, index: all.count)
    }

    /// Shows version `k` (0-based, in order) of position `i`: the messages from `i` on become that version's.
    public mutating func showVersion(_ k: Int, at i: Int) {
        var all = allVersions(at: i)
        guard all.indices.contains(k) else { return }
        var tail = all.remove(at: k)
        tail[0].versions = Versions(others: all, index: k)
        self = Array(self[..<i]) + tail
    }
}
