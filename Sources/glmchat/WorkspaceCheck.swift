// Before the tools get a folder that holds far more than a project — the home folder or `/` — the user says
// so: a question on the terminal (y to go on), or `--workspace DIR` to name the folder outright.
import Foundation

enum WorkspaceCheck {
    /// "your home folder" or "the root folder" when `root` is one of them (links resolved), else nil.
    static func tooBroad(_ root: String, home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String? {
        let real = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        if real == "/" { return "the root folder /" }
        if let home, !home.isEmpty, real == URL(fileURLWithPath: home).resolvingSymlinksInPath().path { return "your home folder \(real)" }
        return nil
    }

    /// Asks on the terminal; anything but y (or no terminal to ask on) ends the run with a sentence and status 1.
    static func confirm(_ what: String, root: String) {
        let hint = "start glmchat in a project folder, or name one with --workspace DIR"
        guard isatty(0) == 1 else { fail("The coding tools would work in \(what); \(hint).") }
        FileHandle.standardError.write(Data("glmchat: the coding tools would read, write and run commands in \(what). Go on? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else { fail("Not started: \(hint).") }
    }
}
