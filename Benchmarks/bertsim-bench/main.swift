import ArgumentParser

/// `bertsim-bench`: release-mode benchmarks, each a subcommand; `make bench` runs them all.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bertsim-bench",
        abstract: "bertsim benchmarks (run a release build; medians of several repetitions).",
        subcommands: [KernelBench.self, KernelOnce.self, TraceBench.self, EncoderBench.self, LengthAwareBench.self])
}

Bench.main()
