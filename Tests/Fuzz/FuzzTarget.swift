// The fuzz targets: each takes any bytes as one input it must survive (no crash, no hang, no unbounded output) and
// checks a property that holds for every input it accepts. Built with libFuzzer by scripts/fuzz; the plain build
// replays files (a corpus, a crash found in CI) through them.
import Chat
import GGUF
import Store
import Terminal
import TUI

enum FuzzTarget: String, CaseIterable {
    /// JSON: what parses serializes to text that parses to the same value and serializes to the same text again
    /// (compact and pretty), and Python's spelling never fails.
    case json
    /// Session files: what decodes re-encodes to bytes that decode to the same messages and re-encode identically.
    case session
    /// GGUF headers: a file is read or refused in one short sentence without control characters.
    case gguf
    /// The reply parser: the events do not depend on where the stream was cut (the first byte picks the cuts).
    case reply
    /// Terminal input: any mix of characters, key codes and clicks decodes without crashing.
    case keys

    func run(_ bytes: [UInt8]) {
        switch self {
        case .json: json(bytes)
        case .session: session(bytes)
        case .gguf: gguf(bytes)
        case .reply: reply(bytes)
        case .keys: keys(bytes)
        }
    }

    private func json(_ bytes: [UInt8]) {
        guard let v = try? JSONValue.parse(bytes) else { return }
        for o in [JSONValue.WriteOptions.compact, .pretty] {
            let text = v.serialized(o)
            guard let again = try? JSONValue.parse(text) else { fatalError("serialized JSON does not parse: \(text.prefix(200))") }
            guard again == v else { fatalError("JSON changed in a round trip: \(text.prefix(200))") }
            guard again.serialized(o) == text else { fatalError("JSON text changed in a second round trip: \(text.prefix(200))") }
        }
        _ = v.serialized(.python)
    }

    private func session(_ bytes: [UInt8]) {
        let codec = SessionCodec.current
        guard case .success(let s) = codec.decode(bytes, id: "fuzz") else { return }
        guard let first = try? codec.encode(s) else { fatalError("a decoded session does not encode") }
        guard case .success(let again) = codec.decode(first, id: "fuzz") else { fatalError("a re-encoded session does not decode") }
        guard again.messages == s.messages, again.title == s.title else { fatalError("a session changed in a round trip") }
        guard let second = try? codec.encode(again), second == first else { fatalError("a second encoding differs from the first") }
    }

    private func gguf(_ bytes: [UInt8]) {
        do {
            let f = try GGUFFile(mapped: MappedFile(copying: bytes, name: "fuzz.gguf"))
            _ = f.tensors.reduce(0) { $0 &+ $1.name.utf8.count }
        } catch {
            let text = "\(error)"
            if text.utf8.count > 600 { fatalError("an error message of \(text.utf8.count) bytes") }
            if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { fatalError("a control character in \(text.debugDescription)") }
        }
    }

    private func reply(_ bytes: [UInt8]) {
        guard let seed = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        func events(_ pieces: [String]) -> [ReplyEvent] {
            var p = ReplyParser(startInReasoning: seed & 1 == 1, template: seed & 2 == 0 ? .glm47 : .chatML(defaultSystemPrompt: nil),
                                makeID: { "call" })
            var out = pieces.flatMap { p.feed($0) }
            out += p.finish(nil)
            return ReplyParser.merged(out)
        }
        // Cut every `step` characters (1…8), as a stream of tokens would.
        let chars = Array(text), step = Int(seed >> 2) % 8 + 1
        let pieces = stride(from: 0, to: chars.count, by: step).map { String(chars[$0..<min($0 + step, chars.count)]) }
        let whole = events([text]), cut = events(pieces)
        if whole != cut { fatalError("reply events depend on the cuts: \(whole) vs \(cut)") }
    }

    private func keys(_ bytes: [UInt8]) {
        var d = KeyDecoder(codes: .sample)
        var batch: [RawInput] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0xF0: batch.append(.key(Int32(258 + Int(bytes.at(i + 1) ?? 0) % 160))); i += 1
            case 0xF1: batch.append(.key(Int32(1000 + Int(bytes.at(i + 1) ?? 0) % 4))); i += 1
            case 0xF2: batch.append(.click(x: Int(bytes.at(i + 1) ?? 0), y: Int(bytes.at(i + 2) ?? 0))); i += 2
            case 0xFF: _ = d.feed(batch); batch = []
            default: batch.append(.char(UInt32(b)))
            }
            i += 1
        }
        _ = d.feed(batch)
    }
}

extension Array {
    func at(_ i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
