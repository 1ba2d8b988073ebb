// Reads the workspace's instructions file (AGENTS.md, else .glmchat/instructions.md) for the system message:
// the first one found, through CappedTextFile (regular UTF-8 files only, at most ProjectInstructions.maxBytes).
import Chat
import Foundation

enum InstructionsFile {
    /// The first instructions file found in `workspace`; a warning for the notice line when one is there but cannot
    /// be used (then nothing is sent).
    static func load(workspace: String) -> (ProjectInstructions?, warning: String?) {
        for name in ProjectInstructions.candidates {
            let path = workspace + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            do {
                let (text, bytes) = try CappedTextFile.read(path, shown: name, cap: ProjectInstructions.maxBytes)
                return (ProjectInstructions(source: name, text: text, fileBytes: bytes), nil)
            } catch {
                return (nil, "\(error); it is not sent to the model")
            }
        }
        return (nil, nil)
    }
}
