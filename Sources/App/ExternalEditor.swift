// The user's editor ($VISUAL, else $EDITOR, else vi) on the editor's text: written to a private temp file, the
// editor run on the terminal (the screen handed back meanwhile), the file read back.
import Foundation

enum ExternalEditor {
    struct Outcome {
        /// The edited text; nil when it stays as it was.
        var text: String?
        var note: String?
        static func failed(_ why: String) -> Outcome { Outcome(text: nil, note: why) }
    }

    /// Runs the editor and waits for it (the caller has handed it the terminal).
    static func edit(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Outcome {
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
        let dir = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((dir + "/glmchat-edit-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 3) }   // mode 0600
        guard fd >= 0 else { return .failed("could not make a temporary file in \(dir) for the editor") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do { try handle.write(contentsOf: Data(text.utf8)); try handle.close() } catch { return .failed("could not write the text for the editor") }
        // The editor's command line is the shell's to split ("code --wait" works); the file goes in as $1.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", editor + " \"$1\"", "sh", path]
        do { try p.run() } catch { return .failed("could not start the editor \(editor)") }
        p.waitUntilExit()
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            return .failed("the editor \(editor) ended with status \(p.terminationStatus); the text is as it was")
        }
        guard let data = FileManager.default.contents(atPath: path), let edited = String(validating: data, as: UTF8.self) else {
            return .failed("the edited text is not UTF-8; the text is as it was")
        }
        // Editors end a file with a line break; the message does not need it.
        let trimmed = edited.hasSuffix("\n") ? String(edited.dropLast()) : edited
        return Outcome(text: trimmed, note: trimmed == text ? "unchanged" : nil)
    }
}
