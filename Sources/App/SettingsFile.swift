// The settings file ($XDG_CONFIG_HOME/glmchat/settings.json): a broken file gives defaults and a warning;
// saving rewrites only the keys it is asked to and keeps every other key as it was.
import Foundation
import Chat
import Store
import TUI

public enum SettingsFile {
    /// $XDG_CONFIG_HOME/glmchat (default ~/.config/glmchat).
    public static func configDir(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/glmchat" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/glmchat"
    }

    /// Larger than any settings file a person writes.
    static let maxBytes = 1 << 20

    /// Reads settings; a missing file gives defaults, a broken one defaults and a warning.
    public static func load(path: String) -> (Settings, warning: String?) {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path, limit: maxBytes) } catch {
            if error.code == ENOENT { return (Settings(), nil) }
            return (Settings(), "settings file \(path) could not be read (\(error.reason ?? String(cString: strerror(error.code)))), so defaults are used")
        }
        do { return (try JSONDecoder().decode(Settings.self, from: Data(bytes)), nil) }
        catch { return (Settings(), "settings file \(path) could not be read, so defaults are used") }
    }

    /// What the settings panel (F3) and the approval panel's "p" change; they save only these, so a key it does not edit
    /// (model, endpoint, api_key_env, served_model) keeps what the file says, even if the file changed meanwhile.
    public static let panelKeys: Set<String> = ["thinking", "keep_thinking", "expand_thinking", "theme", "notify", "sampling", "allowed_commands", "auto_compact"]

    /// The keys among `keys` whose values differ between `old` and `new` (as written to the file).
    /// Keys are sorted before comparing: the encoder's order of an object's keys can differ between two runs.
    public static func changedKeys(from old: Settings, to new: Settings, among keys: Set<String>) -> Set<String> {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        guard let a = (try? JSONValue.parse(Array(enc.encode(old))))?.objectValue,
              let b = (try? JSONValue.parse(Array(enc.encode(new))))?.objectValue else { return keys }
        let av = Dictionary(a, uniquingKeysWith: { x, _ in x }), bv = Dictionary(b, uniquingKeysWith: { x, _ in x })
        return keys.filter { av[$0] != bv[$0] }
    }

    /// Writes `s` into the file at `path`: the keys in `keys` (all it has, when nil) replace the file's
    /// (objects such as "sampling" key by key), and every other key in the file stays as it was — keys this
    /// version does not know included. Written atomically (temp file, fsync, rename). A file that is not a
    /// JSON object is left alone and the save fails with a sentence saying so.
    public static func save(_ s: Settings, path: String, keys: Set<String>? = nil) throws {
        var doc = try existing(path)
        let mine = try JSONValue.parse(Array(JSONEncoder().encode(s)))
        for (key, value) in mine.objectValue ?? [] where keys?.contains(key) ?? true {
            doc.set(key, merged(doc[key], value))
        }
        let bytes = Array((doc.serialized(.pretty) + "\n").utf8)
        do {
            try AtomicFile.makeDirectory((path as NSString).deletingLastPathComponent)
            try AtomicFile.write(bytes, to: path)
        } catch { throw SettingsFileError(description: "the settings could not be written: \(error)") }
    }

    /// The file's JSON object; an empty one when there is no file.
    static func existing(_ path: String) throws -> JSONValue {
        let data: [UInt8]
        do { data = try AtomicFile.read(path, limit: maxBytes) } catch {
            if error.code == ENOENT { return .object([]) }
            throw SettingsFileError(description: "\(path) could not be read (\(error.reason ?? String(cString: strerror(error.code)))), so it was not overwritten")
        }
        guard let v = try? JSONValue.parse(data), v.objectValue != nil else {
            throw SettingsFileError(description: "\(path) is not a JSON object, so it was not overwritten; fix or remove it to save settings")
        }
        return v
    }

    /// `new` over `old`: objects key by key (keeping keys only `old` has), anything else replaced.
    static func merged(_ old: JSONValue?, _ new: JSONValue) -> JSONValue {
        guard var o = old, o.objectValue != nil, let kv = new.objectValue else { return new }
        for (k, v) in kv { o.set(k, merged(o[k], v)) }
        return o
    }
}

public struct SettingsFileError: Error, CustomStringConvertible {
    public let description: String
}
