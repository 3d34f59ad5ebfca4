import Foundation

/// How the training data are drawn (SPEC §2).
public enum SamplerKind: String, Codable, Sendable, CaseIterable {
    /// Rows of (φ(x), y) drawn from their exact joint Gaussian law given (W, W*).
    case joint
    /// x drawn from N(0, Λ) and mapped through the random features.
    case direct
    /// The Gram blocks drawn from their Wishart law (Bartlett), without forming rows.
    case wishart
}

/// Learning rates 10^a for a = log10Min, log10Min + log10Step, …, log10Max.
public struct LogGrid: Codable, Equatable, Hashable, Sendable {
    public var log10Min: Double
    public var log10Max: Double
    public var log10Step: Double

    public init(log10Min: Double, log10Max: Double, log10Step: Double) {
        self.log10Min = log10Min
        self.log10Max = log10Max
        self.log10Step = log10Step
    }

    /// Number of grid points; 0 when the grid is empty or malformed, `Int.max` when it has
    /// more points than any machine could try (a step that is nearly 0).
    public var count: Int {
        guard log10Step > 0, log10Max >= log10Min, log10Min.isFinite, log10Max.isFinite else { return 0 }
        let points = ((log10Max - log10Min) / log10Step + 1e-9).rounded(.down)
        guard points < 1e15 else { return Int.max }
        return Int(points) + 1
    }

    /// The exponents a_i = log10Min + i·log10Step (by multiplication, not accumulation).
    public var exponents: [Double] { (0..<count).map { log10Min + Double($0) * log10Step } }

    /// The learning rates 10^a_i.
    public var values: [Double] { exponents.map { pow(10.0, $0) } }

    public static let adamDefault = LogGrid(log10Min: -2, log10Max: 2, log10Step: 0.25)
    public static let matSignDefault = LogGrid(log10Min: -2, log10Max: 3, log10Step: 0.25)
}

/// The experiment: every parameter of SPEC §1–5 that can change a task's result (the grid
/// excluded). Defaults are the SPEC's.
public struct Experiment: Codable, Equatable, Hashable, Sendable {
    /// Latent dimension D.
    public var D: Int = 2048
    /// Teacher outputs K.
    public var K: Int = 8
    /// Teacher coefficient decay: W*[k, o] ~ N(0, k^-β).
    public var beta: Double = 0
    /// Label-noise standard deviation σ.
    public var sigma: Double = 0.3
    /// Training samples n.
    public var n: Int = 8192
    /// Optimizer steps T (the same budget for every optimizer).
    public var T: Int = 16
    public var sampler: SamplerKind = .joint
    /// The master seed of the counter-based generator (SPEC §5).
    public var masterSeed: UInt64 = 20260501
    public var adamLR: LogGrid = .adamDefault
    public var matSignLR: LogGrid = .matSignDefault
    /// Spectra read from files, each standing for one value of the grid's s axis (ascending by
    /// label; empty for the power-law spectra of SPEC §1 only).
    public var spectrumFiles: [FileSpectrum] = []

    public init() {}
}

/// An eigenvalue spectrum read from a file (SPEC §1), standing for one value of a sweep's s
/// axis: the instances with that s draw x ~ N(0, Λ) with these λ in place of k^(−s) (the
/// teacher's k^(−β) follows the same, descending, order).
public struct FileSpectrum: Codable, Hashable, Sendable {
    /// The value of the s axis whose instances use this spectrum.
    public var label: Double
    /// SHA-256 of the file's bytes (hex): the spectrum's identity, whatever its path.
    public var sha256: String
    /// λ_1 ≥ … ≥ λ_D, normalised so that Σ λ_k = 1.
    public var eigenvalues: [Double]
    /// The path as the spec wrote it and where it was found: never part of the identity, only
    /// what `submit` needs to copy the file beside its copy of the spec.
    public var writtenPath: String
    public var foundPath: String

    public init(label: Double, sha256: String, eigenvalues: [Double], writtenPath: String = "", foundPath: String = "") {
        self.label = label
        self.sha256 = sha256
        self.eigenvalues = eigenvalues
        self.writtenPath = writtenPath
        self.foundPath = foundPath
    }

    /// Why a spectrum file cannot be used, in one line.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The eigenvalues of a spectrum file's text: positive finite numbers separated by white
    /// space, commas or line breaks, `#` starting a comment; returned sorted descending and
    /// normalised so that they sum to 1 (summed from the smallest up, for accuracy and a fixed
    /// order). `expectedCount`, when given, is the D they must number.
    public static func eigenvalues(parsing text: String, expectedCount: Int? = nil) throws -> [Double] {
        var values: [Double] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                guard let value = Double(word), value.isFinite else {
                    throw FormatError("line \(index + 1): '\(word.prefix(40))' is not a finite number")
                }
                guard value > 0 else { throw FormatError("line \(index + 1): eigenvalue \(value) is not positive") }
                values.append(value)
            }
        }
        guard values.count >= 2 else { throw FormatError("holds \(values.count) eigenvalue\(values.count == 1 ? "" : "s"); at least 2 are needed") }
        if let expectedCount, values.count != expectedCount {
            throw FormatError("holds \(values.count) eigenvalues; D = \(expectedCount) are needed")
        }
        values.sort(by: >)
        var total = 0.0
        for value in values.reversed() { total += value }
        guard total.isFinite else { throw FormatError("the eigenvalues' sum overflows") }
        let normalised = values.map { $0 / total }
        guard normalised.allSatisfy({ $0 > 0 && $0.isNormal }) else {
            throw FormatError("the eigenvalues span too many orders of magnitude (a normalised value underflows)")
        }
        return normalised
    }
}

extension Experiment {
    /// The file spectrum standing for the s-axis value `s`, if any.
    public func fileSpectrum(s: Double) -> FileSpectrum? { spectrumFiles.first { $0.label == s } }
}
