// Themes from files: the user's themes folder ($XDG_CONFIG_HOME/glmchat/themes/*.json) over the built-ins,
// with a warning and a fallback to the default when a file is broken.
import Foundation
import Store
import TUI

extension Theme {
    /// Every theme there is: the built-ins, then the user's folder (a user file named like a built-in
    /// replaces it; broken files are left out with a warning each).
    public static func all(userDir: String?) -> (themes: [Theme], warnings: [String]) {
        var themes = builtins
        var warnings: [String] = []
        if let dir = userDir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for n in names.sorted() where n.hasSuffix(".json") {
                let path = (dir as NSString).appendingPathComponent(n)
                do {
                    let t = try parse(try readFile(path))
                    themes.removeAll { $0.name == t.name }
                    themes.append(t)
                } catch { warnings.append("theme file \(path) is broken (\(error))") }
            }
        }
        return (themes, warnings)
    }

    /// Finds a theme by name: `<userDir>/NAME.json` first, then the built-ins. Returns the theme and a
    /// warning when it had to fall back to the default.
    public static func load(named name: String, userDir: String?) -> (Theme, warning: String?) {
        if let dir = userDir {
            let path = (dir as NSString).appendingPathComponent("\(name).json")
            if FileManager.default.fileExists(atPath: path) {
                do {
                    return (try parse(try readFile(path)), nil)
                } catch {
                    return (fallback, "theme file \(path) is broken (\(error)); using the default theme")
                }
            }
        }
        do {
            if let t = try builtin(named: name) { return (t, nil) }
        } catch { return (fallback, "built-in theme \(name) is broken (\(error))") }
        return (fallback, "there is no theme named \(name) (built-in: \(builtinNames.joined(separator: ", "))); using the default theme")
    }

    /// A theme file's text; only a regular file is read (a FIFO or device in the folder is refused, never waited on).
    static func readFile(_ path: String) throws -> String {
        String(decoding: try AtomicFile.read(path, limit: 1 << 20), as: UTF8.self)
    }
}
