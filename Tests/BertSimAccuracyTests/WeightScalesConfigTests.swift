import BertSimConfig
import BertSimCore
import BertSimModels
import Foundation
import Testing

/// `precision.weight_scales`: read from YAML, named in the model variant, charged in the
/// resource estimate.
@Suite struct WeightScalesConfigTests {
    static func encoder(_ path: String) throws -> (ConfigLoader.Loaded, EncoderConfig) {
        let loaded = try ConfigLoader.load(path: TestModel.repo(path))
        guard case .encoder(let e) = loaded.config.design else { throw InputError(file: path, "not an encoder design") }
        return (loaded, e)
    }

    @Test func perChannelIsReadNamedAndCharged() throws {
        let (loaded, pc) = try Self.encoder("data/accuracy/configs/zcu102-fqbert-n8m16-w4a8-pc.yaml")
        let (plainLoaded, plain) = try Self.encoder("hw-configs/zcu102-fqbert-n8m16.yaml")
        #expect(pc.precision.weightScales == .perChannel && plain.precision.weightScales == .perTensor)
        #expect(ModelVariant(model: "minilm-l6", config: pc).quantization == "w4a8-pc")
        #expect(ModelVariant(model: "minilm-l6", config: plain).quantization == "w4a8")
        #expect(loaded.canonicalJSON.contains("\"weight_scales\":\"per_channel\""))
        #expect(plainLoaded.canonicalJSON.contains("\"weight_scales\":\"per_tensor\""))
        // 96 quantization units load an 8-bit scale each at once: the 16 KiB parameter buffer's
        // read width grows from 512 bits (15 BRAM18K) to 768 bits (22), and every unit holds a
        // double-buffered 8-bit register.
        let part = ResourceEstimate(config: pc).parts.first { $0.unit == "weight_scales" }
        #expect(part?.bram18k == 7 && part?.ff == 2 * 96 * 8 && part?.dsp == 0)
        #expect(!ResourceEstimate(config: plain).parts.contains { $0.unit == "weight_scales" })
        #expect(ResourceEstimate(config: pc).bram18k == ResourceEstimate(config: plain).bram18k + 7)
    }

    @Test func aBadChoiceIsLocated() throws {
        let text = try String(contentsOfFile: TestModel.repo("hw-configs/zcu102-fqbert-n8m16.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    bias_bits: 32\n", with: "    bias_bits: 32\n    weight_scales: per_row\n")
        do {
            _ = try ConfigLoader.parse(text, file: "pc.yaml")
            Issue.record("per_row was accepted")
        } catch {
            #expect(error.description.hasPrefix("pc.yaml:"))
            #expect(error.description.contains("encoder.precision.weight_scales"))
        }
    }
}
