// `glmchat tokenize -m M (-p TEXT | -f FILE) [--parse-special] [--show]`: token ids of a text, as llama.cpp makes them.
import ArgumentParser
import Foundation
import GGUF
import Tokenizer

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (a JSON array), using the GGUF file's vocabulary.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF file.") var model: String
    @Option(name: [.short, .customLong("prompt")], help: "The text to tokenize.") var prompt: String?
    @Option(name: [.short, .customLong("file")], help: "A file whose bytes to tokenize.") var file: String?
    @Flag(help: "Recognise special tokens such as <|user|> in the text.") var parseSpecial = false
    @Flag(help: "Add BOS (and EOS) where the vocabulary asks for it.") var addSpecial = false
    @Flag(help: "Print one token per line: id and piece.") var show = false
    @Flag(help: "Print the time taken and the throughput on stderr.") var timing = false

    /// A piece as a quoted string; bytes that are no complete UTF-8 character are shown as \xNN.
    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        var it = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var at = 0
        loop: while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let e):
                let s = String(Unicode.UTF8.decode(e))
                out += String(s.debugDescription.dropFirst().dropLast())
                at += e.count
            case .error(let n):
                for b in bytes[at..<at + n] { out += "\\x" + String(b, radix: 16, uppercase: true) }
                at += n
            case .emptyInput: break loop
            }
        }
        return out + "\""
    }

    func run() throws {
        guard (prompt == nil) != (file == nil) else { fail("Give the text with exactly one of -p TEXT or -f FILE.") }
        let bytes: [UInt8]
        if let prompt {
            bytes = Array(prompt.utf8)
        } else {
            bytes = reportingErrors { try readUserFile(file!, what: "file") }
        }
        let tl = DispatchTime.now().uptimeNanoseconds
        let tok = reportingErrors { try Tokenizer(gguf: try GGUFFile(path: model)) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let ids = tok.encode(bytes: bytes, parseSpecial: parseSpecial, addBOS: addSpecial)
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        if show {
            var out = ""
            for id in ids { out += "\(id)\t\(Self.quoted(tok.tokenBytes(id)))\n" }
            print(out, terminator: "")
        } else {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        }
        if timing {
            let mb = Double(bytes.count) / 1e6
            let load = Double(t0 - tl) / 1e9
            FileHandle.standardError.write(Data(String(format: "vocabulary loaded in %.3f s; %d bytes, %d tokens in %.3f s: %.2f MB/s\n", load, bytes.count, ids.count, dt, dt > 0 ? mb / dt : 0).utf8))
        }
    }
}
