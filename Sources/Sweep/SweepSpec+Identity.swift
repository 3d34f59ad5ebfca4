import Crypto
import Foundation
import Vocabulary

extension SweepSpec {
    /// A canonical, line-oriented rendering of the validated spec: the same experiment gives the
    /// same text whatever the YAML's comments, key order, spacing or number formatting.
    public var canonicalText: String {
        func real(_ x: Double) -> String { String(format: "%.17g", x) }
        func lrGrid(_ g: LogGrid) -> String { "[\(real(g.log10Min)), \(real(g.log10Max)), \(real(g.log10Step))]" }
        let lines = [
            "alphasweep-spec 1",
            "D \(experiment.D)",
            "K \(experiment.K)",
            "beta \(real(experiment.beta))",
            "sigma \(real(experiment.sigma))",
            "n \(experiment.n)",
            "T \(experiment.T)",
            "N \(grid.N.map(String.init).joined(separator: " "))",
            "s \(grid.s.map(real).joined(separator: " "))",
            grid.replicates.lowerBound == 0 ? "seeds \(grid.replicates.count)"
                : "replicates \(grid.replicates.lowerBound)..\(grid.replicates.upperBound - 1)",
            "optimizers \(grid.optimizers.map(\.rawValue).joined(separator: " "))",
            "sampler \(experiment.sampler.rawValue)",
            "master_seed \(experiment.masterSeed)",
            "adam_lr \(lrGrid(experiment.adamLR))",
            "matsign_lr \(lrGrid(experiment.matSignLR))",
        ] + (experiment.spectrumFiles.isEmpty ? [] : [
            "spectrum_files " + experiment.spectrumFiles.map { "\(real($0.label)) sha256 \($0.sha256)" }.joined(separator: " "),
        ])
        return lines.joined(separator: "\n") + "\n"
    }

    /// SHA-256 of `canonicalText`, in hex: the identity of the whole spec (`spec_sha256`).
    public var sha256: String { Self.sha256(canonicalText) }

    /// SHA-256 of the experiment's canonical text: results files with the same one hold
    /// interchangeable tasks (`experiment_sha256`).
    public var experimentSHA256: String { Self.sha256(experiment.canonicalText) }

    /// The identity a results file records for this spec, written as `specText`.
    public func identity(specText: String) -> SweepIdentity {
        SweepIdentity(specText: specText, specSHA256: sha256, experimentText: experiment.canonicalText,
                      experimentSHA256: experimentSHA256, gridText: grid.canonicalText)
    }

    /// The identity of a spec text (a results file's `/spec`, named `file` in errors; its
    /// spectrum files sought in `searchDirectories`).
    public static func identity(ofSpecText text: String, file: String, searchDirectories: [String] = []) throws -> SweepIdentity {
        try parse(text, file: file, searchDirectories: searchDirectories).identity(specText: text)
    }

    static func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The spec as YAML with every key, readable by `SweepSpec.parse` (spectrum files by the
    /// path they were found at).
    public var yaml: String {
        func real(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(format: "%.1f", x) : "\(x)"
        }
        func lrGrid(_ g: LogGrid) -> String {
            "{log10_min: \(real(g.log10Min)), log10_max: \(real(g.log10Max)), log10_step: \(real(g.log10Step))}"
        }
        return """
        D: \(experiment.D)
        K: \(experiment.K)
        beta: \(real(experiment.beta))
        sigma: \(real(experiment.sigma))
        n: \(experiment.n)
        T: \(experiment.T)
        N: [\(grid.N.map(String.init).joined(separator: ", "))]
        s: [\(grid.s.map(real).joined(separator: ", "))]
        \(grid.replicates.lowerBound == 0 ? "seeds: \(grid.replicates.count)" : "replicates: \(grid.replicates.lowerBound)..\(grid.replicates.upperBound - 1)")
        optimizers: [\(grid.optimizers.map(\.rawValue).joined(separator: ", "))]
        sampler: \(experiment.sampler.rawValue)
        master_seed: \(experiment.masterSeed)
        adam_lr: \(lrGrid(experiment.adamLR))
        matsign_lr: \(lrGrid(experiment.matSignLR))

        """ + (experiment.spectrumFiles.isEmpty ? "" : "spectrum_files: {"
            + experiment.spectrumFiles.map { file in
                // Double-quoted, so that a path with commas or braces stays one YAML scalar.
                let quoted = file.foundPath.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return "\(real(file.label)): \"\(quoted)\""
            }.joined(separator: ", ") + "}\n")
    }
}
