// swift-tools-version:6.0
// glmchat: a terminal chat client that runs GLM-4.7-Flash in-process from a GGUF file on the CPU.
import PackageDescription

// Release-grade C for the kernels even in debug builds: the scalar twins are the reference, not -O0.
let kernelCFlags: [CSetting] = [.unsafeFlags(["-O3", "-fno-strict-aliasing"])]

var targets: [Target] = [
    .target(name: "CNcursesw", linkerSettings: [.linkedLibrary("ncursesw")]),
    .target(name: "CKernels", cSettings: kernelCFlags),
    .target(name: "Quote"),
    .target(name: "GGUF", dependencies: ["Quote"]),
    .target(name: "Kernels", dependencies: ["GGUF", "CKernels"]),
    .target(name: "Tokenizer", dependencies: ["GGUF", "Quote"]),
    .target(name: "Engine", dependencies: ["GGUF", "Kernels", "Tokenizer", "Quote"]),
    .target(name: "Chat", dependencies: ["Quote"]),
    .target(name: "Store", dependencies: ["Chat", "Quote"]),
    .target(name: "TUI", dependencies: ["Chat"]),
    .target(name: "Terminal", dependencies: ["TUI", "CNcursesw"]),
    .target(name: "Remote", dependencies: ["Chat", "Quote", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                          .product(name: "NIOCore", package: "swift-nio"),
                                          .product(name: "NIOPosix", package: "swift-nio"),
                                          .product(name: "NIOHTTP1", package: "swift-nio")]),
    .target(name: "App", dependencies: ["TUI", "Chat", "Store", "Engine", "Kernels", "Tokenizer", "GGUF", "Remote"]),
    .executableTarget(name: "glmchat", dependencies: [
        "App", "Terminal", "TUI", "Chat", "Store", "Engine", "Kernels", "Tokenizer", "GGUF", "Remote",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
]

// One test target per module.
let tests: [(String, [Target.Dependency])] = [
    ("GGUF", ["GGUF", "Quote"]), ("Kernels", ["Kernels", "GGUF", "CKernels"]), ("Tokenizer", ["Tokenizer", "GGUF"]),
    ("Engine", ["Engine", "Kernels", "Tokenizer", "GGUF", "CAllocCounter", "TestSupport"]), ("Chat", ["Chat", "Tokenizer", "GGUF"]), ("Store", ["Store", "Chat", "TestSupport"]),
    ("TUI", ["TUI", "Chat"]), ("Terminal", ["Terminal", "TUI"]), ("Remote", ["Remote", "Chat", "Quote"]),
    ("App", ["App", "TUI", "Chat", "Store", "Engine", "Kernels", "Tokenizer", "GGUF", "Remote"]),
]
// Data files read through #filePath, not bundled.
let testData: [String: [String]] = ["TUI": ["Snapshots", "Fixtures"], "App": ["Fixtures"]]
targets += tests.map { .testTarget(name: "\($0.0)Tests", dependencies: $0.1, exclude: testData[$0.0] ?? []) }
// Fuzz targets (scripts/fuzz builds them with libFuzzer; the plain build replays files through them).
targets.append(.executableTarget(name: "glmchat-fuzz", dependencies: ["Chat", "GGUF", "Store", "Terminal", "TUI"], path: "Tests/Fuzz",
                                 exclude: ["corpus"]))
// Test support: counts heap allocations (the token-loop test in EngineTests).
targets.append(.target(name: "CAllocCounter", path: "Tests/CAllocCounter"))
// Test support: runs one test of the test binary as a child process (crash and lock tests).
targets.append(.target(name: "TestSupport", path: "Tests/TestSupport"))

let package = Package(
    name: "glmchat",
    platforms: [.macOS(.v13)],
    products: [.executable(name: "glmchat", targets: ["glmchat"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),  // already required by async-http-client
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
