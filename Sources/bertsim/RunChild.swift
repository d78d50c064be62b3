import ArgumentParser
import BertSim
import BertSimStudies
import BertSimCore
import Foundation

/// `bertsim _run` (hidden): the child side of ``ChildSimulations``. Reads one
/// ``SimulationRequest`` as JSON on stdin, runs it, and writes its ``SimulationOutcome`` as JSON
/// on stdout; errors of the run are outcomes, so it exits 0 whenever it wrote one.
struct RunChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ChildSimulations.command,
        abstract: "Run one simulation request read as JSON on stdin; write its outcome as JSON on stdout.",
        shouldDisplay: false)

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let request: SimulationRequest
        do {
            request = try JSONDecoder().decode(SimulationRequest.self, from: input)
        } catch {
            throw InputError(file: "stdin", "not a simulation request: \(error)")
        }
        let outcome = Simulation.outcome(of: request, child: ChildSimulations.runner(executable: ChildSimulations.currentExecutable))
        writeStandardOutput(String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self) + "\n")
    }
}
