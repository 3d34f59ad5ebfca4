import Analysis
import ArgumentParser
import Foundation
import Numerics
import Sweep
import Vocabulary

/// `alphasweep diagnose`: will a better optimizer pay off on this spectrum? The spectral
/// diagnostic of SPEC §7 for a power law or an eigenvalue file, in seconds, no simulation.
struct Diagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict L(N) and α for GD, SqrtNG, NG (and Precond(p)) from a spectrum, with no simulation.",
        discussion: """
        The spectrum is a power law λ_k ∝ k^-s (--s, with --D) or a file of D positive \
        eigenvalues (--spectrum; white space, commas or line breaks between them, # comments; \
        sorted descending and normalised to sum 1, SPEC §1). Prints the predicted test loss per N, \
        α over the N grid and its halves, the α-shift over GD and a one-line verdict. The numbers \
        are those of `analyze`'s theory column for the same experiment.
        """)

    @Option(name: .customLong("s"), help: "Power-law decay s of λ_k ∝ k^-s (default 1 unless --spectrum).") var decay: Double?
    @Option(name: .customLong("spectrum"), help: "A file of D positive eigenvalues, in place of --s.") var spectrumFile: String?
    @Option(name: .customLong("D"), help: "Latent dimension D of a power-law spectrum (a file's count otherwise).") var dimension: Int?
    @Option(name: .customLong("N"), help: "Feature counts, comma-separated.") var featureCounts: String = "16,32,64,128,256,512,1024"
    @Option(name: .customLong("T"), help: "Optimizer steps T.") var steps: Int = 16
    @Option(name: .customLong("n"), help: "Training samples n.") var samples: Int = 8192
    @Option(name: .customLong("sigma"), help: "Label-noise standard deviation σ.") var sigma: Double = 0.3
    @Option(name: .customLong("beta"), help: "Teacher decay β: W*[k, o] ~ N(0, k^-β).") var beta: Double = 0
    @Option(name: .customLong("p"), help: "Precond(p) powers in 0…1, comma-separated (none by default).") var powers: String?
    @Option(help: "Output format: table or json.") var format: ReportFormat = .table
    @Option(help: "Write the predicted L(N) curves as an SVG figure to this path.") var figure: String?

    func validate() throws {
        if decay != nil, spectrumFile != nil { throw ValidationError("--s and --spectrum: give one spectrum, not both") }
        if dimension != nil, spectrumFile != nil { throw ValidationError("--D: a spectrum file's D is its number of eigenvalues") }
        if let decay { try Ranges.check(decay, 1e-6...100, "--s") }
        if let dimension { try Ranges.check(dimension, 2...(1 << 20), "--D") }
        try Ranges.check(steps, 1...1_000_000, "--T")
        try Ranges.check(samples, 2...(1 << 26), "--n")
        try Ranges.check(sigma, 0...1000, "--sigma")
        try Ranges.check(beta, -100...100, "--beta")
        if format == .csv { throw ValidationError("--format: diagnose writes table or json") }
    }

    func run() throws {
        var experiment = Experiment()
        experiment.T = steps
        experiment.n = samples
        experiment.sigma = sigma
        experiment.beta = beta
        let s: Double, name: String
        if let spectrumFile {
            let eigenvalues = try Self.readSpectrum(spectrumFile)
            // The file's spectrum stands for the label s = 1 of a one-value s axis, as in a sweep.
            s = 1
            experiment.D = eigenvalues.count
            experiment.spectrumFiles = [FileSpectrum(label: s, sha256: "", eigenvalues: eigenvalues)]
            name = "spectrum file \(URL(fileURLWithPath: spectrumFile).lastPathComponent)"
        } else {
            s = decay ?? 1
            experiment.D = dimension ?? experiment.D
            name = "power law s = \(s)"
        }
        let N = try Self.list(featureCounts, flag: "--N", Int.init)
        for n in N where n < 1 || n >= experiment.D || n > samples {
            throw BadInput("--N: \(n) must be in 1…D−1 = 1…\(experiment.D - 1) and at most n = \(samples)")
        }
        let p = try powers.map { try Self.list($0, flag: "--p", Double.init) } ?? []
        for value in p where !(value >= 0 && value <= 1) { throw BadInput("--p: \(value) is not a power in 0…1") }
        let diagnosis: Diagnosis
        do {
            diagnosis = try Diagnosis(experiment: experiment, s: s, N: N, powers: p, spectrumName: name)
        } catch SpectralDiagnosticError.unsupported(let message) {
            throw BadInput("the theory does not cover this case: \(message)")
        }
        print(try diagnosis.render(format), terminator: "")
        if let figure {
            do {
                try diagnosis.figureSVG().write(toFile: figure, atomically: true, encoding: .utf8)
            } catch {
                throw BadInput("--figure: cannot write \(figure): \(error.localizedDescription)")
            }
        }
    }

    /// A comma-separated list of values, each parsed by `parse`; one-line errors naming `flag`.
    static func list<T>(_ text: String, flag: String, _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty else { throw BadInput("\(flag): give a comma-separated list, e.g. 64,128,256") }
        return try items.map { item in
            guard let value = parse(item) else { throw BadInput("\(flag): '\(item)' is not a valid value") }
            return value
        }
    }

    /// The eigenvalues of a spectrum file (SPEC §1: positive, sorted descending, sum 1).
    static func readSpectrum(_ path: String) throws -> [Double] {
        // A regular file only (a FIFO would block the read), of bounded size, as for a spec's
        // spectrum files.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw BadInput("--spectrum: \(path): no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw BadInput("--spectrum: \(path): not a regular file (directories, devices and symbolic links are refused)")
        }
        guard let size = attributes[.size] as? Int, size <= SweepSpec.maxSpectrumFileBytes else {
            throw BadInput("--spectrum: \(path): larger than \(SweepSpec.maxSpectrumFileBytes >> 20) MB")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BadInput("--spectrum: \(path): cannot be read as UTF-8 text")
        }
        do {
            return try FileSpectrum.eigenvalues(parsing: text)
        } catch let error as FileSpectrum.FormatError {
            throw BadInput("--spectrum: \(path): \(error)")
        }
    }
}
