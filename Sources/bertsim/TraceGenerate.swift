import ArgumentParser
import BertSimCore
import BertSimWorkload
import Foundation

/// `bertsim trace generate`: writes a trace from a length file or a fixed length, as closed
/// batches or Poisson arrivals (docs/workloads.md, "Generating traces").
struct TraceGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a trace: lengths from a length file or a fixed length; closed batches or Poisson arrivals.",
        discussion: """
            Lengths from --lengths are taken in file order and cycled when --count exceeds the \
            file (--shuffle permutes every pass with the seed). Lengths above the model's max \
            positions are truncated, and the count is reported on stderr. The same flags give \
            the same bytes.
            """)

    @Option(help: ArgumentHelp("The trace to write.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Number of requests.", valueName: "requests"))
    var count: Int

    @Option(help: "Seed of the Poisson arrivals and of --shuffle (an unsigned 64-bit integer).")
    var seed: UInt64

    @Option(help: ArgumentHelp("A length file: one token count per line (e.g. data/seq-lengths/sst2.txt).", valueName: "file"))
    var lengths: String?

    @Option(help: ArgumentHelp("Every request has this many tokens (instead of --lengths).", valueName: "tokens"))
    var length: Int?

    @Option(help: ArgumentHelp("The model: a preset (\(ModelSpec.presets.map(\.name).joined(separator: ", "))) or 'custom layers=… hidden=… heads=… head_size=… ffn=… max_positions=…'.", valueName: "name"))
    var model: String = ModelSpec.bertBase.name

    @Option(help: ArgumentHelp("Closed batches of this many requests, every arrival at 0 ns.", valueName: "requests"))
    var batch: Int?

    @Option(help: ArgumentHelp("Open Poisson arrivals at this many requests per second (when there is no --batch).", valueName: "req-per-s"))
    var rate: Double?

    @Flag(help: "Shuffle the length file with the seed (each pass through it is a fresh permutation).")
    var shuffle = false

    @Option(help: ArgumentHelp("Tag every request with this task name ([A-Za-z0-9_.-]+).", valueName: "name"))
    var task: String?

    @Option(help: ArgumentHelp("The provenance written to the 'source:' header (default: the length file, or the fixed length).", valueName: "text"))
    var source: String?

    func validate() throws {
        switch (lengths, length) {
        case (nil, nil): throw InputError(file: "--lengths", "give a length file (--lengths FILE) or a fixed length (--length L)")
        case (.some, .some): throw InputError(file: "--length", "give either --lengths FILE or --length L, not both")
        default: break
        }
        switch (batch, rate) {
        case (nil, nil): throw InputError(file: "--rate", "give Poisson arrivals (--rate REQ_PER_S) or closed batches (--batch B)")
        case (.some, .some): throw InputError(file: "--rate", "give either --batch B or --rate REQ_PER_S, not both")
        default: break
        }
        if shuffle && length != nil { throw InputError(file: "--shuffle", "only applies to a length file (--lengths)") }
    }

    func run() throws {
        let spec: ModelSpec
        do {
            spec = try ModelSpec.parse(model)
        } catch {
            throw InputError(file: "--model", error.message)
        }
        let lengthSource: TraceGenerator.Lengths
        if let lengths {
            lengthSource = .empirical(try LengthList(path: lengths), shuffled: shuffle)
        } else {
            lengthSource = .fixed(length!)
        }
        let arrivals: TraceGenerator.Arrivals = batch.map { .closedBatches($0) } ?? .poisson(rate: rate!)
        let generator = TraceGenerator(model: spec, lengths: lengthSource, arrivals: arrivals, count: count, seed: seed,
                                       task: task, source: source)
        let summary = try generator.write(to: output)
        var note = "bertsim: wrote \(summary.requests) requests to \(output)\n"
        if summary.truncated > 0 {
            note += "bertsim: \(summary.truncated) of \(summary.requests) lengths were above \(spec.name)'s max positions (\(spec.maxPositions)) and were truncated to \(spec.maxPositions)\n"
        }
        FileHandle.standardError.write(Data(note.utf8))
    }
}
