import ArgumentParser

/// The `bertsim` command line (docs/contract.md, "CLI").
struct BertSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bertsim",
        abstract: "A cycle-accurate simulator of FPGA accelerators for BERT inference.",
        discussion: """
            Exit status: 0 success; 1 ran, but the answer is no; 2 bad input (the message names \
            file:line:field or the flag); 3 the simulation could not finish.
            """,
        version: "0.1.0",
        subcommands: [Simulate.self, Compare.self, Select.self, Sweep.self, Check.self, Accuracy.self, Validate.self, Calibrate.self,
                      Describe.self, TraceCommand.self, RunChild.self])
}
