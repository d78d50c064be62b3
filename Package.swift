// swift-tools-version:6.1
// bertsim: a cycle-accurate simulator of FPGA accelerators for BERT inference.
// Modules and their dependencies (pointing down only) are described in docs/architecture.md.
import PackageDescription

/// Every target is built without Swift's default cross-module optimization: with it, an
/// incremental release build after a change to a struct's layout left dependent modules with
/// stale inlined copies (a crash in `make run` after a rebuild; reproduced on Swift 6.3.1).
/// Disabling it costs nothing measurable here (`make bench`).
let common: [SwiftSetting] = [.unsafeFlags(["-disable-cmo"])]

/// The models and the per-cycle references are optimized in debug builds too: the tests
/// simulate whole BERT layers (and the length-aware scheduler simulates a stage for every
/// length and partition), which unoptimized code runs about ten times slower. Tests still get
/// `@testable` access (SwiftPM passes -enable-testing in debug).
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The simulation hot path (kernels, channels, models) is built without dynamic exclusivity
/// checks: on class properties they cost about half of the event loop (measured with
/// `make bench`). The compile-time checks still apply.
let hotPath: [SwiftSetting] = common + [.unsafeFlags(["-enforce-exclusivity=unchecked"])] + optimizedInDebug


let package = Package(
    name: "bertsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bertsim", targets: ["bertsim"]),
        .library(name: "BertSim", targets: ["BertSim"]),
        .library(name: "BertSimStudies", targets: ["BertSimStudies"]),
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
            dependencies: [.product(name: "Collections", package: "swift-collections")],
            swiftSettings: hotPath
        ),
        // Debian's SystemC through pkg-config (header-less: only the shim includes <systemc>).
        .systemLibrary(name: "CSystemC", pkgConfig: "systemc", providers: [.apt(["libsystemc-dev"])]),
        // The C shim over SystemC: the only code that includes <systemc> (C++17, as Debian's build).
        .target(
            name: "CBertSimSystemC",
            dependencies: ["CSystemC"],
            cxxSettings: [.define("SC_INCLUDE_DYNAMIC_PROCESSES")]
        ),
        // SystemCKernel: SimKernel on SystemC's scheduler.
        .target(name: "BertSimSystemC", dependencies: ["BertSimCore", "CBertSimSystemC"], swiftSettings: hotPath),
        // Trace format, model presets, generators.
        .target(name: "BertSimWorkload", dependencies: ["BertSimCore"], swiftSettings: common),
        // The accelerator's components and netlists. Knows nothing of SystemC or YAML.
        .target(name: "BertSimModels", dependencies: ["BertSimCore", "BertSimWorkload"], swiftSettings: hotPath),
        // The functional datapath of a design on a real model (all-MiniLM-L6-v2): tokenizer, FP32
        // reference, the bit-accurate integer datapath built from an EncoderConfig, STS scoring
        // (docs/accuracy.md). Its kernels are optimized in debug builds too (the tests run a subset).
        .target(name: "BertSimAccuracy", dependencies: ["BertSimCore", "BertSimWorkload", "BertSimModels"],
                swiftSettings: common + optimizedInDebug + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // YAML hardware configs -> validated component configs, with file:line:field errors.
        .target(
            name: "BertSimConfig",
            dependencies: ["BertSimCore", "BertSimModels", .product(name: "Yams", package: "Yams")],
            swiftSettings: common
        ),
        // RunReport and its renderers.
        .target(name: "BertSimReport", dependencies: ["BertSimCore", "BertSimWorkload", "BertSimModels", "BertSimConfig"],
                swiftSettings: common),
        // One run: Simulation.run(SimulationRequest) -> RunReport, its twins, the outcome children send back.
        .target(
            name: "BertSim",
            dependencies: [
                "BertSimCore", "BertSimWorkload", "BertSimModels", "BertSimConfig", "BertSimReport", "BertSimSystemC",
            ],
            swiftSettings: common
        ),
        // Studies over many runs in child processes: compare, select, sweep, check.
        .target(
            name: "BertSimStudies",
            dependencies: [
                "BertSim", "BertSimCore", "BertSimWorkload", "BertSimModels", "BertSimConfig", "BertSimReport",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: common
        ),
        .executableTarget(
            name: "bertsim",
            dependencies: ["BertSim", "BertSimStudies", "BertSimAccuracy", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: common
        ),
        // Shared by the test targets: kernel conformance scenarios, per-cycle references.
        .target(name: "BertSimTestSupport", dependencies: ["BertSimCore", "BertSimModels", "BertSimWorkload"],
                swiftSettings: common + optimizedInDebug),
        // Fuzz targets over every user input (`make fuzz`; the tests replay the kept corpus).
        .target(name: "BertSimFuzz", dependencies: ["BertSim", "BertSimConfig", "BertSimCore", "BertSimWorkload"],
                swiftSettings: common),
        // libFuzzer driver under `make fuzz` (-DFUZZING), a replay tool otherwise.
        .executableTarget(name: "bertsim-fuzz", dependencies: ["BertSimFuzz"], path: "Fuzz/bertsim-fuzz",
                          swiftSettings: common + [.unsafeFlags(["-parse-as-library"])]),
        // Benchmarks (release builds, `make bench`; not part of `make test`).
        .executableTarget(
            name: "bertsim-bench",
            dependencies: ["BertSim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/bertsim-bench",
            swiftSettings: common
        ),
        .testTarget(name: "BertSimCoreTests", dependencies: ["BertSimCore", "BertSimTestSupport"]),
        .testTarget(name: "BertSimSystemCTests", dependencies: ["BertSimSystemC", "BertSimModels", "BertSimTestSupport"]),
        .testTarget(name: "BertSimWorkloadTests", dependencies: ["BertSimWorkload"]),
        .testTarget(name: "BertSimModelsTests", dependencies: ["BertSimModels", "BertSimTestSupport"]),
        .testTarget(name: "BertSimConfigTests", dependencies: ["BertSimConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BertSimAccuracyTests", dependencies: ["BertSimAccuracy", "BertSimConfig", "BertSimWorkload", "bertsim"], resources: [.copy("Fixtures")],
                    swiftSettings: optimizedInDebug),
        .testTarget(name: "EndToEndTests", dependencies: ["BertSim", "BertSimStudies", "bertsim"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["BertSimFuzz"], resources: [.copy("Corpus")]),
    ],
    cxxLanguageStandard: .cxx17
)
