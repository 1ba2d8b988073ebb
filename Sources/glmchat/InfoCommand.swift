// `glmchat info -m FILE`: architecture, key metadata, quant mix and the tensor table, like gguf-dump; with --kernels,
// the kernels each tensor runs with on this CPU. Names and strings come from the file: they are always printed escaped.
import ArgumentParser
import Engine
import Foundation
import GGUF
import Kernels
import Quote

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a GGUF file's metadata and tensors.")

    @Option(name: [.short, .customLong("model")], help: "The GGUF file.") var model: String
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Also print every metadata key (long arrays are summarised).") var all = false
    @Flag(help: "Load the model and print, per tensor, its layout after repacking and the kernels that run it on this CPU (GLMCHAT_* switches respected).") var kernels = false

    func run() throws {
        if kernels {
            let m = reportingErrors { try Model(path: model, threads: ProcessInfo.processInfo.activeProcessorCount, options: engineOptions()) }
            print(terminalSafe(Self.kernelTable(m)))
            return
        }
        let f = reportingErrors { try GGUFFile(path: model) }
        if json { print(terminalSafe(Self.json(f), style: .json)) } else { print(terminalSafe(Self.text(f, all: all))) }
    }

    /// One row per tensor: file type, layout after repacking, and the kernel of each matmul path, read from the plans
    /// the loaded model's matrices hold ("-" for tensors read as vectors).
    static func kernelTable(_ m: Model) -> String {
        let o = m.options
        var out = "kernels \(o.kernels.rawValue), AMX \(o.amx ? "on" : "off"), GFNI \(o.gfni ? "on" : "off"), repack \(o.repack ? "on" : "off"); "
        out += "CPU: \(KernelPlan.cpuFeatureNames.joined(separator: " ")); \(String(format: "%.1f", Double(m.repackedBytes) / 1e6)) MB repacked\n"
        if m.config.arch == .deepseek2 {
            out += "attention: \(o.attentionKernelName) over an f16 or q8_0 cache, \(EngineOptions(kernels: o.kernels, amx: false).attentionKernelName) over f32\n"
            if let t = m.expandedKeyType, let from = o.expandedPromptTokens {
                out += "prompt batches of \(from) or more tokens: expanded into per-head keys and values (k_b transposed as \(t.name))\n"
            }
        }
        let paths = KernelPlan.Path.allCases
        let w = max(6, m.gguf.tensors.map { $0.name.count }.max() ?? 6)
        func row(_ cells: [String]) -> String {
            let widths = [w, 7, 7, 22, 22]
            let padded = zip(cells.dropLast(), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            return "  " + (padded + [cells.last!]).joined(separator: "  ") + "\n"
        }
        out += row(["tensor", "type", "layout"] + paths.map(\.tokens))
        for t in m.gguf.tensors {
            if let p = m.kernelPlan(ofTensor: t.name) {
                out += row([t.name, t.type.name, p.type.name] + paths.map { p.kernelName($0) })
            } else {
                out += row([t.name, t.type.name, "-"] + paths.map { _ in "-" })
            }
        }
        return out.trimmingCharacters(in: .newlines)
    }

    static let keyFields = ["general.name", "general.architecture", "general.file_type", "general.quantization_version",
                            "tokenizer.ggml.model", "tokenizer.ggml.pre"]

    static func archKeys(_ f: GGUFFile) -> [String] {
        guard let a = f.architecture else { return [] }
        return ["context_length", "block_count", "embedding_length", "feed_forward_length", "attention.head_count",
                "attention.head_count_kv", "expert_count", "expert_used_count", "expert_shared_count",
                "leading_dense_block_count", "attention.q_lora_rank", "attention.kv_lora_rank", "rope.freq_base",
                "vocab_size", "nextn_predict_layers"].map { "\(a).\($0)" }.filter { f.metadata[$0] != nil }
    }

    /// Tensor count and bytes per ggml type, largest first.
    static func typeMix(_ f: GGUFFile) -> [(type: GGMLType, count: Int, bytes: Int)] {
        var m: [GGMLType: (Int, Int)] = [:]
        for t in f.tensors { let e = m[t.type] ?? (0, 0); m[t.type] = (e.0 + 1, e.1 + t.byteCount) }
        return m.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.bytes > $1.bytes }
    }

    static func render(_ v: GGUFValue) -> String {
        switch v {
        case .uint(let x, _): return "\(x)"
        case .int(let x, _): return "\(x)"
        case .float(let x, _): return "\(x)"
        case .bool(let b): return "\(b)"
        case .string(let s): return s.count > 80 ? "\(String(s.prefix(77)).debugDescription)… (\(s.utf8.count) bytes)" : s.debugDescription
        case .array(let a): return "[\(a.elementTypeName) × \(a.count)]"
        }
    }

    static func text(_ f: GGUFFile, all: Bool) -> String {
        var out = "file: \(f.path)\nGGUF v\(f.version), \(formatBytes(f.fileSize)), \(f.metadata.count) metadata keys, \(f.tensors.count) tensors, alignment \(f.alignment)\n"
        out += "\nmetadata:\n"
        let keys = all ? f.metadataKeys : (keyFields + archKeys(f)).filter { f.metadata[$0] != nil }
        for k in keys { out += "  \(k) = \(render(f.metadata[k]!))\n" }
        if let toks = f.array("tokenizer.ggml.tokens") { out += "  vocabulary: \(toks.count) tokens\n" }
        out += "\nquant mix:\n"
        let total = f.tensors.reduce(0) { $0 + $1.byteCount }
        for m in typeMix(f) {
            out += "  \(m.type.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(m.count).leftPad(5)) tensors  \(formatBytes(m.bytes).leftPad(10))  \(String(format: "%5.1f%%", total > 0 ? 100 * Double(m.bytes) / Double(total) : 0))\n"
        }
        out += "\ntensors:\n"
        let w = max(4, f.tensors.map { $0.name.count }.max() ?? 4)
        out += "  \("name".padding(toLength: w, withPad: " ", startingAt: 0))  type     shape                        bytes\n"
        for t in f.tensors {
            out += "  \(t.name.padding(toLength: w, withPad: " ", startingAt: 0))  \(t.type.name.padding(toLength: 7, withPad: " ", startingAt: 0))  \(t.shapeDescription.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(t.byteCount).leftPad(12))\n"
        }
        let params = f.tensors.reduce(0) { $0 + $1.elementCount }
        out += "\ntotal: \(f.tensors.count) tensors, \(params) parameters, \(formatBytes(total)) of tensor data"
        return out
    }

    static func json(_ f: GGUFFile) -> String {
        func q(_ s: String) -> String {
            var o = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                default: o += u.value < 0x20 ? String(format: "\\u%04x", u.value) : String(u)
                }
            }
            return o + "\""
        }
        func val(_ v: GGUFValue) -> String {
            switch v {
            case .uint(let x, _): return "\(x)"
            case .int(let x, _): return "\(x)"
            case .float(let x, _): return x.isFinite ? "\(x)" : "null"
            case .bool(let b): return "\(b)"
            case .string(let s): return q(s)
            case .array(let a): return "{\"array\": \(q(a.elementTypeName)), \"count\": \(a.count)}"
            }
        }
        var parts: [String] = []
        parts.append("\"path\": \(q(f.path))")
        parts.append("\"version\": \(f.version)")
        parts.append("\"file_size\": \(f.fileSize)")
        parts.append("\"alignment\": \(f.alignment)")
        parts.append("\"architecture\": \(f.architecture.map(q) ?? "null")")
        parts.append("\"metadata\": {" + f.metadataKeys.map { "\(q($0)): \(val(f.metadata[$0]!))" }.joined(separator: ", ") + "}")
        parts.append("\"tensors\": [" + f.tensors.map {
            "{\"name\": \(q($0.name)), \"type\": \(q($0.type.name)), \"shape\": [\($0.dims.map(String.init).joined(separator: ", "))], \"offset\": \($0.fileOffset), \"bytes\": \($0.byteCount)}"
        }.joined(separator: ",\n  ") + "]")
        return "{" + parts.joined(separator: ",\n ") + "}"
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
    func rightPad(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
