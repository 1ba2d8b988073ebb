// The entry point. Built for fuzzing (scripts/fuzz: -sanitize=fuzzer -DFUZZING) libFuzzer calls the target named by
// GLMCHAT_FUZZ_TARGET with each input; built plainly it replays files: `glmchat-fuzz TARGET FILE…`.
import Foundation

#if FUZZING
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["GLMCHAT_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        fatalError("set GLMCHAT_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's driver, started from the entry point SwiftPM links an executable target to (`<target>_main`).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("glmchat_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return runDriver(&argc, &argv) { fuzzOneInput($0, $1) }
}
#else
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: glmchat-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE…\n".utf8))
            exit(2)
        }
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("glmchat-fuzz: cannot read \(path)\n".utf8)); exit(1)
            }
            target.run(Array(data))
        }
        print("\(target.rawValue): \(args.count - 1) input\(args.count == 2 ? "" : "s") replayed")
    }
}
#endif
