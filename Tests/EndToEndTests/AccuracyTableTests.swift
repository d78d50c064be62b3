import BertSim
import BertSimStudies
import BertSimCore
import BertSimModels
import Testing

@Suite struct AccuracyTableTests {
    @Test func theShippedFQBERTTable() throws {
        let table = try AccuracyTable(path: Paths.repo("data/accuracy/fqbert-sst2.csv"))
        #expect(table.accuracies.count == 2)
        #expect(table[ModelVariant(model: "bert-base", quantization: "fp32")] == 92.32)
        #expect(table[ModelVariant(model: "bert-base", quantization: "w4a8")] == 91.51)
        #expect(table[ModelVariant(model: "bert-base", quantization: "w8a8")] == nil)
        // The dense model's number is not a pruned or top-k variant's.
        #expect(table[ModelVariant(model: "bert-base", quantization: "w4a8", pruning: "unstructured75")] == nil)
        #expect(table[ModelVariant(model: "bert-base", quantization: "w4a8", attention: "top32")] == nil)
    }

    @Test func commentsBlankLinesAndSpacesAreSkipped() throws {
        let table = try AccuracyTable(text: "# a task\n\nmodel, pruning, quantization, accuracy\n  bert-large ,hp75,w8a8, 90\n",
                                      path: "t.csv")
        #expect(table.accuracies == [ModelVariant(model: "bert-large", quantization: "w8a8", pruning: "hp75"): 90])
    }

    /// The five-column format names attention too; written back, a table reads the same.
    @Test func theFullFormatRoundTrips() throws {
        let text = """
            model,quantization,pruning,attention,accuracy
            minilm-l6,w4a8-pc,hierarchical75-t8x128-d50,top32,78.25
            minilm-l6,fp32,dense,dense,82.1
            minilm-l6,w16a16-sm16,dense,topfrac0.25-min8,81.9

            """
        let table = try AccuracyTable(text: text, path: "t.csv")
        #expect(table[ModelVariant(model: "minilm-l6", quantization: "w4a8-pc", pruning: "hierarchical75-t8x128-d50",
                                   attention: "top32")] == 78.25)
        #expect(table.accuracies.count == 3)
        let again = try AccuracyTable(text: table.csv(comments: ["again"]), path: "t.csv")
        #expect(again.accuracies == table.accuracies)
        #expect(table.csv(comments: ["a"]).hasPrefix("# a\nmodel,quantization,pruning,attention,accuracy\nminilm-l6,fp32,dense,dense,82.10\n"))
    }

    /// Every mistake names the file, the line and, where there is one, the column.
    @Test(arguments: [
        ("bert-base,dense,w4a8,91\n", "t.csv:1: the header must be 'model,quantization,pruning,attention,accuracy'"),
        ("# only a comment\n", "t.csv: no header"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8\n", "t.csv:2: expected 4 comma-separated values"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,high\n", "t.csv:2: accuracy: 'high' is not a percentage"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,101\n", "t.csv:2: accuracy: '101' is not a percentage"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,int4,90\n", "t.csv:2: quantization: 'int4' is not fp32, fp16 or w<bits>a<bits>"),
        ("model,quantization,pruning,attention,accuracy\nbert-base,w4a8,dense,90\n", "t.csv:2: expected 5 comma-separated values"),
        ("model,quantization,pruning,attention,accuracy\nbert-base,w4a8-x,dense,dense,90\n", "t.csv:2: quantization: 'w4a8-x' is not"),
        ("model,quantization,pruning,attention,accuracy\nbert-base,w4a8,dense,,90\n", "t.csv:2: attention: is empty"),
        ("model,pruning,quantization,accuracy\nBERT-base,dense,w4a8,90\n", "t.csv:2: model: 'BERT-base' must be lowercase"),
        ("model,pruning,quantization,accuracy\nbert-base,,w4a8,90\n", "t.csv:2: pruning: is empty"),
        ("model,pruning,quantization,accuracy\nbert-base,dense,w4a8,90\n\nbert-base,dense,w4a8,91\n",
         "t.csv:4: bert-base, w4a8, dense, attention dense appears twice"),
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
