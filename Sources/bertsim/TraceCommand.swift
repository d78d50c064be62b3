import ArgumentParser

/// `bertsim trace …`: make and inspect workload traces (docs/workloads.md).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Generate workload traces and summarize their lengths.",
        subcommands: [TraceGenerate.self, TraceStats.self])
}
