// Fields a file holds that this build does not model, kept so a rewrite puts them back.
import Chat

/// The part of a JSON value that decoding then re-encoding would drop: keys missing from the round trip,
/// found recursively through objects and through arrays whose length did not change.
/// Also the exact text of values the program reads as something that prints differently (`JSONValue.literal`:
/// `1e999`, `0.10`, a lone surrogate), put back while the program's value still reads the same.
indirect enum UnknownFields: Sendable, Equatable {
    case object(extra: [(String, JSONValue)], children: [(String, UnknownFields)])
    case array([Int: UnknownFields])
    case literal(JSONValue)

    static func == (a: UnknownFields, b: UnknownFields) -> Bool {
        switch (a, b) {
        case let (.object(e1, c1), .object(e2, c2)):
            return JSONValue.object(e1) == JSONValue.object(e2) && c1.count == c2.count && zip(c1, c2).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(x), .array(y)): return x == y
        case let (.literal(x), .literal(y)): return x == y
        default: return false
        }
    }

    /// What `original` has that `roundTrip` (the same value decoded and encoded again) lacks; nil when nothing.
    static func diff(original: JSONValue, roundTrip: JSONValue) -> UnknownFields? {
        switch (original, roundTrip) {
        case let (.object(o), .object(r)):
            var extra: [(String, JSONValue)] = [], children: [(String, UnknownFields)] = []
            var seen = Set<String>()
            for (k, v) in o where seen.insert(k).inserted {
                if let rv = r.first(where: { $0.0 == k })?.1 {
                    if let c = diff(original: v, roundTrip: rv) { children.append((k, c)) }
                } else {
                    extra.append((k, v))
                }
            }
            return extra.isEmpty && children.isEmpty ? nil : .object(extra: extra, children: children)
        case let (.array(o), .array(r)) where o.count == r.count:
            var m: [Int: UnknownFields] = [:]
            for i in o.indices { if let c = diff(original: o[i], roundTrip: r[i]) { m[i] = c } }
            return m.isEmpty ? nil : .array(m)
        case let (.literal, r) where original.decoded == r:
            return .literal(original)
        case let (.int(i), .double(d)) where Double(i) == d:
            return .literal(.literal(String(i)))   // `1` read into a Double field stays `1`, not `1.0`
        default:
            return nil
        }
    }

    /// Puts the kept fields back into `value`: keys it does not have are appended; nested values are
    /// visited where `value` still has them (a field the program now sets wins over the kept one).
    func apply(to value: inout JSONValue) {
        switch (self, value) {
        case let (.object(extra, children), .object(kv)):
            var out = kv
            for (k, c) in children {
                if let i = out.firstIndex(where: { $0.0 == k }) { c.apply(to: &out[i].1) }
            }
            for (k, v) in extra where !out.contains(where: { $0.0 == k }) { out.append((k, v)) }
            value = .object(out)
        case let (.array(m), .array(a)):
            var out = a
            for (i, c) in m where i < out.count { c.apply(to: &out[i]) }
            value = .array(out)
        case let (.literal(original), v) where original.decoded == v:
            value = original
        default:
            break
        }
    }
}
