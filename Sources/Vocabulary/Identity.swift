import Foundation

/// The identity of a sweep, in two parts: the experiment (everything that can change a task's
/// result) and the grid (which tasks). Tasks of two results files with the same experiment are
/// interchangeable, whatever their grids, so an archive can grow by new grids; the texts here
/// are what is hashed (by `Sweep`) and stored (by `ResultsFile`), and what differences are
/// named by.
extension Experiment {
    /// The experiment's settings under their spec-file keys, values as a person writes them
    /// (shortest round-tripping decimals), in spec order.
    public var settings: [(key: String, value: String)] {
        func grid(_ g: LogGrid) -> String {
            "{log10_min: \(g.log10Min), log10_max: \(g.log10Max), log10_step: \(g.log10Step)}"
        }
        var settings = [
            ("D", "\(D)"), ("K", "\(K)"), ("beta", "\(beta)"), ("sigma", "\(sigma)"), ("n", "\(n)"), ("T", "\(T)"),
            ("sampler", sampler.rawValue), ("master_seed", "\(masterSeed)"),
            ("adam_lr", grid(adamLR)), ("matsign_lr", grid(matSignLR)),
        ]
        // Only when present, so that the experiments of earlier versions keep their text and hash.
        // A file spectrum is named by its content's hash, never by its path.
        if !spectrumFiles.isEmpty {
            settings.append(("spectrum_files",
                             "{" + spectrumFiles.map { "\($0.label): sha256 \($0.sha256)" }.joined(separator: ", ") + "}"))
        }
        return settings
    }

    /// One "key: value" line per setting after a version line: equal texts, equal experiments.
    public var canonicalText: String {
        (["alphasweep-experiment 1"] + settings.map { "\($0.key): \($0.value)" }).joined(separator: "\n") + "\n"
    }

    /// The settings that differ between two experiments' canonical texts, as "key: a, b" with
    /// `firstLabel`/`secondLabel` naming where each value came from, e.g.
    /// "sigma: archive 0.3, spec 0.25".
    public static func differences(_ first: String, _ second: String, firstLabel: String, secondLabel: String) -> [String] {
        func pairs(_ text: String) -> [(String, String)] {
            text.split(separator: "\n").dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        let a = pairs(first), b = Dictionary(pairs(second), uniquingKeysWith: { x, _ in x })
        let keys = a.map(\.0) + b.keys.filter { key in !a.contains { $0.0 == key } }.sorted()
        let aValues = Dictionary(a, uniquingKeysWith: { x, _ in x })
        return keys.compactMap { key in
            let x = aValues[key] ?? "(absent)", y = b[key] ?? "(absent)"
            return x == y ? nil : "\(key): \(firstLabel) \(x), \(secondLabel) \(y)"
        }
    }
}

extension SweepGrid {
    /// "N: 16 32", "s: 0.5 1.0", "replicates: 0..15" (inclusive), "optimizers: GD NG", one per line.
    public var canonicalText: String {
        let replicateText = replicates.isEmpty ? "none" : "\(replicates.lowerBound)..\(replicates.upperBound - 1)"
        return [
            "N: " + N.map(String.init).joined(separator: " "),
            "s: " + s.map { "\($0)" }.joined(separator: " "),
            "replicates: " + replicateText,
            "optimizers: " + optimizers.map(\.rawValue).joined(separator: " "),
        ].joined(separator: "\n") + "\n"
    }

    /// The grid of a `canonicalText`; nil for text that is not one.
    public init?(canonicalText text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        guard let nText = fields["N"], let sText = fields["s"], let rText = fields["replicates"],
              let oText = fields["optimizers"] else { return nil }
        let n = nText.split(separator: " ").compactMap { Int($0) }
        let s = sText.split(separator: " ").compactMap { Double($0) }
        let optimizers = oText.split(separator: " ").compactMap { OptimizerKind(rawValue: String($0)) }
        guard n.count == nText.split(separator: " ").count, s.count == sText.split(separator: " ").count,
              optimizers.count == oText.split(separator: " ").count else { return nil }
        let replicates: Range<Int>
        if rText == "none" {
            replicates = 0..<0
        } else {
            let ends = rText.components(separatedBy: "..")
            guard ends.count == 2, let lo = Int(ends[0]), let hi = Int(ends[1]), lo >= 0, hi >= lo, hi < Int.max else { return nil }
            replicates = lo..<(hi + 1)
        }
        self.init(N: n, s: s, replicates: replicates, optimizers: optimizers)
    }

    /// The smallest grid holding every task of `grids`: the union of each axis (replicates as
    /// the range from the lowest to the highest).
    public static func hull(_ grids: [SweepGrid]) -> SweepGrid {
        let nonEmpty = grids.filter { !$0.replicates.isEmpty }
        let low = nonEmpty.map(\.replicates.lowerBound).min() ?? 0
        let high = nonEmpty.map(\.replicates.upperBound).max() ?? 0
        return SweepGrid(N: Array(Set(grids.flatMap(\.N))).sorted(), s: Array(Set(grids.flatMap(\.s))).sorted(),
                         replicates: low..<high, optimizers: Array(Set(grids.flatMap(\.optimizers))).sorted())
    }
}

/// What a run tells its results file about the sweep: the spec, and the two parts of its
/// identity (hashed by `Sweep`, stored and compared by `ResultsFile`).
public struct SweepIdentity: Equatable, Sendable {
    /// The spec text as written (stored in `/spec`).
    public var specText: String
    /// The whole spec's hash (`spec_sha256`, 64 hex digits).
    public var specSHA256: String
    /// `Experiment.canonicalText` and its hash (`experiment`, `experiment_sha256`).
    public var experimentText: String
    public var experimentSHA256: String
    /// `SweepGrid.canonicalText` of the grid this run runs.
    public var gridText: String

    public init(specText: String, specSHA256: String, experimentText: String, experimentSHA256: String,
                gridText: String) {
        self.specText = specText
        self.specSHA256 = specSHA256
        self.experimentText = experimentText
        self.experimentSHA256 = experimentSHA256
        self.gridText = gridText
    }
}

