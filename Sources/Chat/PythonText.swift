// Python str semantics the chat templates rely on (strip/lstrip/rstrip/split), done on Unicode scalars
// and UTF-8 bytes so that a combining mark next to a marker never changes a match.
import Foundation

enum PythonText {
    /// Python's str.isspace() set, which str.strip() removes.
    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// str.strip()
    static func strip(_ s: String) -> String { rstrip(lstrip(s, isSpace), isSpace) }

    static func lstrip(_ s: String, _ drop: (Unicode.Scalar) -> Bool) -> String {
        let u = s.unicodeScalars
        guard let i = u.firstIndex(where: { !drop($0) }) else { return "" }
        return String(u[i...])
    }

    static func rstrip(_ s: String, _ drop: (Unicode.Scalar) -> Bool) -> String {
        let u = s.unicodeScalars
        guard let i = u.lastIndex(where: { !drop($0) }) else { return "" }
        return String(u[...i])
    }

    /// str.split(sep) for a non-empty separator, compared byte for byte.
    static func split(_ s: String, _ sep: String) -> [String] {
        let b = Array(s.utf8), p = Array(sep.utf8)
        var parts: [String] = [], start = 0, i = 0
        while !p.isEmpty, i + p.count <= b.count {
            if b[i] == p[0], Array(b[i..<i + p.count]) == p {
                parts.append(String(decoding: b[start..<i], as: UTF8.self))
                i += p.count; start = i
            } else { i += 1 }
        }
        parts.append(String(decoding: b[start...], as: UTF8.self))
        return parts
    }

    /// `sep in s`, byte for byte.
    static func contains(_ s: String, _ sep: String) -> Bool { split(s, sep).count > 1 }
}

extension JSONValue.WriteOptions {
    /// Python json.dumps(x, ensure_ascii=False): ", " and ": " separators, UTF-8 kept (transformers' tojson).
    public static let pythonUnicode = JSONValue.WriteOptions(itemSeparator: ", ", keySeparator: ": ", asciiOnly: false, indent: nil, pythonFloats: true)
}
