import BertSimCore
import BertSimModels

/// The `encoder:` section's own schema: which sub-sections it holds.
public enum EncoderSchemas {
    public static let encoder = ComponentSchema(
        name: "encoder",
        summary: "The FQ-BERT-style encoder accelerator (docs/encoder-timing.md); each key is a section.",
        parameters: [
            ParameterSpec("precision", .text, default: "", "Bit widths (optional: W4/A8/int32 bias)"),
            ParameterSpec("pe_array", .text, default: "", "The BIM processing array (FQ-BERT), or:"),
            ParameterSpec("systolic_array", .text, default: "", "a systolic array (exactly one of the two)"),
            ParameterSpec("softmax", .text, "The softmax unit"),
            ParameterSpec("layernorm", .text, "The LayerNorm unit"),
            ParameterSpec("gelu", .text, "The GELU unit"),
            ParameterSpec("memory", .text, "Off-chip memory channels"),
            ParameterSpec("buffers", .text, "On-chip buffers"),
            ParameterSpec("sparse_attention", .text, default: "", "Top-k sparse attention (optional; without it, attention is dense)"),
            ParameterSpec("length_aware", .text, default: "", "The length-aware scheduler's pipeline (optional; defaults apply)"),
            ParameterSpec("pruning", .text, default: "", "Pruned weights in the HP format on the sparse engine (optional; without it, weights are dense)"),
            ParameterSpec("host", .text, default: "", "The host's control of the accelerator (optional; defaults apply)"),
        ],
        statistics: [])

    /// Every schema of the encoder design, for `bertsim describe`.
    public static let all: [ComponentSchema] = [
        encoder, EncoderConfig.Precision.schema, EncoderConfig.PEArray.schema, SystolicArray.schema,
        EncoderConfig.SpecialUnit.softmaxSchema,
        EncoderConfig.SpecialUnit.layerNormSchema, EncoderConfig.SpecialUnit.geluSchema, EncoderConfig.Memory.schema,
        EncoderConfig.Buffers.schema, EncoderConfig.Host.schema, SparseAttention.schema, LengthAwareSettings.schema,
        Pruning.schema, Pruning.ratiosSchema,
    ]
}
