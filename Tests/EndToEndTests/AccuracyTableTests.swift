import BertSim
import BertSimStudies
import BertSimCore
import Testing

@Suite struct AccuracyTableTests {
    @Test func theShippedFQBERTTable() throws {
        let table = try AccuracyTable(path: Paths.repo("data/accuracy/fqbert-sst2.csv"))
        #expect(table.accuracies.count == 2)
        #expect(table[.init(model: "bert-base", pruning: "dense", quantization: "fp32")] == 92.32)
        #expect(table[.init(model: "bert-base", pruning: "dense", quantization: "w4a8")] == 91.51)
        #expect(table[.init(model: "bert-base", pruning: "dense", quantization: "w8a8")] == nil)
    }

    @Test func commentsBlankLinesAndSpacesAreSkipped() throws {
        let table = try AccuracyTable(text: "# a task\n\nmodel, pruning, quantization, accuracy\n  bert-large ,hp75,w8a8, 90\n",
                                      path: "t.csv")
        #expect(table.accuracies == [.init(model: "bert-large", pruning: "hp75", quantization: "w8a8"): 90])
    }

    @Test func quantizationNames() {
        #expect(AccuracyTable.quantization(weightBits: 4, activationBits: 8) == "w4a8")
        #expect(AccuracyTable.quantization(weightBits: 16, activationBits: 16) == "w16a16")
    }

    /// Every mistake names the file, the line and, where there is one, the column.
    @Test(arguments: [
        ("bert-base,dense,w4a8,91\n", "t.csv:1: the header must be 'model,pruning,quantization,accuracy'"),
        ("# only a comment\n", "t.csv: no header"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8\n", "t.csv:2: expected 4 comma-separated values"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,high\n", "t.csv:2: accuracy: 'high' is not a percentage"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,101\n", "t.csv:2: accuracy: '101' is not a percentage"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,int4,90\n", "t.csv:2: quantization: 'int4' is not fp32, fp16 or w<bits>a<bits>"),
        ("model,pruning,quantization,accuracy\nBERT-base,dense,w4a8,90\n", "t.csv:2: model: 'BERT-base' must be lowercase"),
        ("model,pruning,quantization,accuracy\nbert-base,,w4a8,90\n", "t.csv:2: pruning: is empty"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,90\n\nbert-base,dense,w4a8,91\n",
         "t.csv:4: bert-base, dense, w4a8 appears twice"),
    ])
    func mistakesAreLocated(_ text: String, _ expected: String) {
        #expect(throws: InputError.self) { try AccuracyTable(text: text, path: "t.csv") }
        do {
            _ = try AccuracyTable(text: text, path: "t.csv")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func aMissingFile() {
        do {
            _ = try AccuracyTable(path: "no/such.csv")
            Issue.record("no error")
        } catch {
            #expect(error.description == "no/such.csv: no such file")
        }
    }
}
