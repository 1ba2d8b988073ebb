// Reads custom slash commands: `NAME.md` files in the workspace's `.glmchat/commands/` and in the config folder's
// `commands/` (the workspace's win on a name both have). Regular UTF-8 files of at most 64 KB; others are skipped
// with a reason.
import Foundation
import TUI

enum CustomCommandFiles {
    static let maxBytes = 64 * 1024

    /// The commands found, sorted by name, and one line about the files that were skipped (nil when none were).
    static func load(workspace: String, configDir: String) -> ([CustomCommand], warning: String?) {
        var byName: [String: CustomCommand] = [:]
        var skipped: [String] = []
        for (dir, shown) in [(configDir + "/commands", "~config/commands"), (workspace + "/.glmchat/commands", ".glmchat/commands")] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in names.sorted() where file.hasSuffix(".md") {
                let name = String(file.dropLast(3))
                guard CustomCommand.isValidName(name) else { skipped.append(file + " (name)"); continue }
                guard let text = read(dir + "/" + file) else { skipped.append(file); continue }
                byName[name] = CustomCommand(name: name, text: text, source: shown + "/" + file)
            }
        }
        let warning = skipped.isEmpty ? nil
            : "custom commands skipped: \(skipped.joined(separator: ", ")) (names are letters, digits, - and _, not a built-in's; files are UTF-8 text up to 64 KB)"
        return (byName.values.sorted { $0.name < $1.name }, warning)
    }

    private static func read(_ path: String) -> String? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              attrs[.type] as? FileAttributeType == .typeRegular,
              ((attrs[.size] as? NSNumber)?.intValue ?? .max) <= maxBytes,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(validating: data, as: UTF8.self)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Backends {
    /// Custom slash commands for a chat in `workspace` (see CustomCommandFiles).
    public static func customCommands(workspace: String, configDir: String) -> ([CustomCommand], warning: String?) {
        CustomCommandFiles.load(workspace: workspace, configDir: configDir)
    }
}
