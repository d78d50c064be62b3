import ArgumentParser
import BertSimCore
import Foundation

/// Runs the command and maps every failure to one line on stderr and the contract's exit
/// status: 2 for bad input (including bad flags), 3 for a simulation that could not finish or
/// an output file that could not be written.
func runMain() -> Int32 {
    do {
        var command = try BertSimCommand.parseAsRoot()
        try command.run()
        return 0
    } catch let error as InputError {
        fail(error.description)
        return 2
    } catch let error as SimulationError {
        fail(error.description)
        return 3
    } catch let error as OutputError {
        fail(error.description)
        return 3
    } catch let error as ExitCode {
        return error.rawValue
    } catch {
        let code = BertSimCommand.exitCode(for: error)
        if code == .success {
            writeStandardOutput(BertSimCommand.fullMessage(for: error) + "\n")
            return 0
        }
        let message = BertSimCommand.message(for: error)
        fail((message.isEmpty ? "\(error)" : message) + " (see bertsim --help)")
        return 2
    }
}

/// Writes to stdout unbuffered, so reports and stderr lines never interleave.
func writeStandardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func fail(_ message: String) {
    let line = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
    FileHandle.standardError.write(Data("bertsim: error: \(line)\n".utf8))
}

let status = runMain()
exit(status)
