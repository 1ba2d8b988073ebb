// The file format: bytes ⇄ Session, with the format check, version migrations and kept unknown fields.
import Chat
import Quote
import Foundation

/// Why a file in the sessions folder cannot be used. It is listed with this reason and never written.
public enum DamageReason: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case empty
    case invalidJSON(String)
    case notASession
    case newerVersion(Int)
    case unsupportedVersion(String)
    case invalidContent(String)

    public var description: String {
        switch self {
        case .unreadable(let why): return "it cannot be read (\(quoted(why)))"
        case .empty: return "it is empty"
        case .invalidJSON(let why): return "it is not valid JSON, perhaps truncated (\(quoted(why)))"
        case .notASession: return "it is not a glmchat session file (no \"format\": \"\(SessionCodec.formatName)\")"
        case .newerVersion(let v): return "it was written by a newer glmchat (format version \(v); this build reads up to \(SessionCodec.current.version))"
        case .unsupportedVersion(let v): return "its format version \(v) is not one this build knows"
        case .invalidContent(let why): return "its content is invalid at \(quoted(why))"
        }
    }
}

/// One step of format evolution: turns a document of version `from` into version `from + 1`.
/// Steps work on the raw JSON so they can rename or reshape anything; they must keep fields they do not know.
public struct Migration: Sendable {
    public let from: Int
    public let apply: @Sendable (JSONValue) throws -> JSONValue
    public init(from: Int, apply: @escaping @Sendable (JSONValue) throws -> JSONValue) { self.from = from; self.apply = apply }
}

public struct SessionCodec: Sendable {
    public static let formatName = "glmchat.session"
    /// The format this build writes. Version 1 is the first, so there are no steps yet; a version 2 adds
    /// `Migration(from: 1) { … }` here, with a test that reads a version-1 file.
    public static let current = SessionCodec(version: 1, migrations: [])

    public let version: Int
    public let migrations: [Migration]
    public init(version: Int, migrations: [Migration]) { self.version = version; self.migrations = migrations }

    // MARK: reading

    /// `keepUnknown: false` skips collecting unknown fields (listing and search only read; they never rewrite).
    public func decode(_ bytes: [UInt8], id: String, keepUnknown: Bool = true) -> Result<Session, DamageReason> {
        if bytes.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return .failure(.empty) }
        let raw: JSONValue
        do { raw = try JSONValue.parse(bytes) } catch { return .failure(.invalidJSON("\(error)")) }
        guard case .object = raw, raw["format"]?.stringValue == Self.formatName else { return .failure(.notASession) }
        guard let v = raw["version"] else { return .failure(.unsupportedVersion("(missing)")) }
        guard let fileVersion = v.intValue else { return .failure(.unsupportedVersion(v.serialized())) }
        if fileVersion > version { return .failure(.newerVersion(fileVersion)) }
        guard fileVersion >= 1 else { return .failure(.unsupportedVersion(String(fileVersion))) }
        let doc: JSONValue
        switch migrate(raw, from: fileVersion) {
        case .success(let d): doc = d
        case .failure(let r): return .failure(r)
        }
        do { return .success(try session(from: doc, id: id, keepUnknown: keepUnknown)) } catch {
            return .failure(.invalidContent(JSONValueDecoder.describe(error)))
        }
    }

    /// Applies the steps from `fileVersion` up to `version`, one at a time, setting "version" after each.
    public func migrate(_ raw: JSONValue, from fileVersion: Int) -> Result<JSONValue, DamageReason> {
        var doc = raw
        for v in fileVersion..<max(fileVersion, version) {
            guard let step = migrations.first(where: { $0.from == v }) else { return .failure(.unsupportedVersion(String(v))) }
            do { doc = try step.apply(doc) } catch { return .failure(.invalidContent("migration from version \(v): \(error)")) }
            doc.set("version", .int(v + 1))
        }
        return .success(doc)
    }

    struct Header: Codable {
        var title: String?
        var created: Date?
        var updated: Date?
        var model: SessionModel?
        var settings: SessionSettings?
    }

    /// Sampling objects with keys missing (hand-edited files, or files older than a newly added setting) take
    /// the defaults for those keys instead of making the whole file unreadable.
    static func withSamplingDefaults(_ v: JSONValue?) -> JSONValue? {
        guard let v, case .object(var kv) = v, case .object(let defaults)? = try? JSONValueEncoder.encode(SamplingParams()) else { return v }
        for (k, d) in defaults where !kv.contains(where: { $0.0 == k }) { kv.append((k, d)) }
        return .object(kv)
    }

    func session(from original: JSONValue, id: String, keepUnknown: Bool) throws -> Session {
        var doc = original
        if var settings = doc["settings"], let sampling = Self.withSamplingDefaults(settings["sampling"]) {
            settings.set("sampling", sampling); doc.set("settings", settings)
        }
        let header = try JSONValueDecoder.decode(Header.self, from: doc)
        var messages: [Message] = [], kept: [String: [Int: UnknownFields]] = [:], seen: [String: Int] = [:]
        if let m = doc["messages"], m != .null {
            guard case .array(let items) = m else {
                throw DecodingError.typeMismatch([Message].self, .init(codingPath: [Key("messages")], debugDescription: "expected an array"))
            }
            for (i, item) in items.enumerated() {
                do {
                    var filled = item
                    if let sampling = Self.withSamplingDefaults(item["sampling"]) { filled.set("sampling", sampling) }
                    let msg = try JSONValueDecoder.decode(Message.self, from: filled)
                    let n = seen[msg.id, default: 0]
                    seen[msg.id] = n + 1
                    if keepUnknown, let u = UnknownFields.diff(original: item, roundTrip: try JSONValueEncoder.encode(msg)) { kept[msg.id, default: [:]][n] = u }
                    messages.append(msg)
                } catch let DecodingError.keyNotFound(k, c) {
                    throw DecodingError.keyNotFound(k, .init(codingPath: [Key("messages"), Key(i)] + c.codingPath, debugDescription: c.debugDescription))
                } catch let DecodingError.typeMismatch(t, c) {
                    throw DecodingError.typeMismatch(t, .init(codingPath: [Key("messages"), Key(i)] + c.codingPath, debugDescription: c.debugDescription))
                } catch let DecodingError.dataCorrupted(c) {
                    throw DecodingError.dataCorrupted(.init(codingPath: [Key("messages"), Key(i)] + c.codingPath, debugDescription: c.debugDescription))
                } catch let DecodingError.valueNotFound(t, c) {
                    throw DecodingError.valueNotFound(t, .init(codingPath: [Key("messages"), Key(i)] + c.codingPath, debugDescription: c.debugDescription))
                }
            }
        }
        let created = header.created ?? Date(timeIntervalSince1970: 0)
        var s = Session(id: id, title: header.title ?? "", created: created, updated: header.updated ?? created,
                        model: header.model, settings: header.settings ?? SessionSettings(), messages: messages)
        // A compaction this build cannot read is kept as an unknown field (and not applied) rather than failing the file.
        s.compaction = doc["compaction"].flatMap { try? JSONValueDecoder.decode(Compaction.self, from: $0) }
        var rest = original
        if case .object(let kv) = original { rest = .object(kv.filter { $0.0 != "messages" }) }
        if keepUnknown { s.keptDocument = UnknownFields.diff(original: rest, roundTrip: try headerJSON(s)) }
        s.keptMessages = kept
        return s
    }

    // MARK: writing

    /// The document without "messages": known keys in a fixed order, then kept unknown ones.
    func headerJSON(_ s: Session) throws -> JSONValue {
        var kv: [(String, JSONValue)] = [
            ("format", .string(Self.formatName)), ("version", .int(version)), ("id", .string(s.id)),
            ("title", .string(s.title)), ("created", .string(ISODate.format(s.created))), ("updated", .string(ISODate.format(s.updated))),
        ]
        if let m = s.model { kv.append(("model", try JSONValueEncoder.encode(m))) }
        kv.append(("settings", try JSONValueEncoder.encode(s.settings)))
        if let c = s.compaction { kv.append(("compaction", try JSONValueEncoder.encode(c))) }
        return .object(kv)
    }

    /// Pretty-printed UTF-8 with a final newline, the same bytes as `JSONValue.serialized(.pretty)` of the whole
    /// document. With a cache, messages unchanged since the last call are not encoded again, so saving a long
    /// conversation costs about the size of the new message plus a copy.
    public func encode(_ s: Session, cache: MessageCache? = nil) throws -> [UInt8] {
        var doc = try headerJSON(s)
        s.keptDocument?.apply(to: &doc)
        var out = Array(doc.serialized(.pretty).utf8)        // "{\n  …\n}": the header is never empty
        out.removeLast(2)
        out += Array(",\n  \"messages\": ".utf8)
        if s.messages.isEmpty {
            out += Array("[]\n}\n".utf8)
            cache?.entries = [:]
            return out
        }
        out += Array("[\n".utf8)
        var fresh: [String: (Message, [UInt8])] = [:], seen: [String: Int] = [:]
        for (i, m) in s.messages.enumerated() {
            // The n-th message with this id gets the fields kept from the n-th one read.
            let n = seen[m.id, default: 0]
            seen[m.id] = n + 1
            let key = n == 0 ? m.id : m.id + "#\(n)"
            let fragment: [UInt8]
            if let c = cache?.entries[key], c.0 == m {
                fragment = c.1
            } else {
                var j = try JSONValueEncoder.encode(m)
                s.keptMessages[m.id]?[n]?.apply(to: &j)
                fragment = Self.indented(j.serialized(.pretty), by: 4)
            }
            if cache != nil { fresh[key] = (m, fragment) }
            if i > 0 { out += Array(",\n".utf8) }
            out += fragment
        }
        cache?.entries = fresh
        out += Array("\n  ]\n}\n".utf8)
        return out
    }

    /// Every line prefixed with `n` spaces (JSON strings hold no raw newlines, so this cannot touch a value).
    static func indented(_ text: String, by n: Int) -> [UInt8] {
        let pad = [UInt8](repeating: 0x20, count: n)
        var out = pad
        out.reserveCapacity(text.utf8.count + 64)
        for b in text.utf8 {
            out.append(b)
            if b == 0x0A { out += pad }
        }
        return out
    }
}

/// Serialized messages by id, kept by an `OpenSession` between saves.
public final class MessageCache: @unchecked Sendable {
    var entries: [String: (Message, [UInt8])] = [:]
    public init() {}
}

private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ s: String) { stringValue = s }
    init(_ i: Int) { stringValue = "\(i)"; intValue = i }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(intValue) }
}
