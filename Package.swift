// swift-tools-version:6.1
// bertsim: a cycle-accurate simulator of FPGA accelerators for BERT inference.
// Modules and their dependencies (pointing down only) are described in docs/architecture.md.
import PackageDescription

let package = Package(
    name: "bertsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bertsim", targets: ["bertsim"]),
        .library(name: "BertSim", targets: ["BertSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // Cycle/Cycles, SimKernel, EventQueueKernel, channels, stats, errors.
        .target(
            name: "BertSimCore",
            dependencies: [.product(name: "Collections", package: "swift-collections")]
        ),
        // Trace format, model presets, generators.
        .target(name: "BertSimWorkload", dependencies: ["BertSimCore"]),
        // The accelerator's components and netlists. Knows nothing of SystemC or YAML.
        .target(name: "BertSimModels", dependencies: ["BertSimCore", "BertSimWorkload"]),
        // YAML hardware configs -> validated component configs, with file:line:field errors.
        .target(
            name: "BertSimConfig",
            dependencies: ["BertSimCore", "BertSimModels", .product(name: "Yams", package: "Yams")]
        ),
        // RunReport and its renderers.
        .target(name: "BertSimReport", dependencies: ["BertSimCore", "BertSimWorkload", "BertSimModels", "BertSimConfig"]),
        // Facade: run(config, workload, kernel) -> RunReport.
        .target(
            name: "BertSim",
            dependencies: ["BertSimCore", "BertSimWorkload", "BertSimModels", "BertSimConfig", "BertSimReport"]
        ),
        .executableTarget(
            name: "bertsim",
            dependencies: ["BertSim", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "BertSimCoreTests", dependencies: ["BertSimCore"]),
        .testTarget(name: "BertSimWorkloadTests", dependencies: ["BertSimWorkload"]),
        .testTarget(name: "BertSimModelsTests", dependencies: ["BertSimModels"]),
        .testTarget(name: "BertSimConfigTests", dependencies: ["BertSimConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EndToEndTests", dependencies: ["BertSim", "bertsim"], resources: [.copy("Fixtures")]),
    ]
)
