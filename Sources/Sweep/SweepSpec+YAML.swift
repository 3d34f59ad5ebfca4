import Foundation
import Vocabulary
import Yams

/// A spec file that cannot be used, with one line naming the file, the key and the experiment.
public struct SpecError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let key: String?
    public let problem: String
    public let line: Int?

    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let key { return "\(where_): key '\(key)': \(problem)" }
        return "\(where_): \(problem)"
    }
}

extension SweepSpec {
    /// Every key a spec file must state. All are required so that the spec text archived in a
    /// results file documents the experiment completely, whatever later versions default to.
    /// The replicates are given by exactly one of `seeds: K` (replicates 0…K−1) or
    /// `replicates: A..B` (A…B, inclusive: a later part of a sweep, run as its own job).
    public static let keys: [String] = [
        "D", "K", "beta", "sigma", "n", "T", "N", "s", "seeds", "optimizers", "sampler",
        "master_seed", "adam_lr", "matsign_lr",
    ]
    static let replicateKeys = ["seeds", "replicates"]
    /// Keys a spec may leave out: `spectrum_files` (SPEC §1's spectra from files) came after
    /// specs were archived, which must keep parsing as they were.
    static let optionalKeys = ["spectrum_files"]
    /// The largest spectrum file read (a D of 2^20 values fits in well under this).
    public static let maxSpectrumFileBytes = 64 << 20
    static let maxReplicate = 1 << 31
    static let maxSigma = 1000.0
    static let gridKeys = ["log10_min", "log10_max", "log10_step"]
    /// Bounds that keep a typo from allocating terabytes or running for a century.
    static let maxDimension = 1 << 20
    static let maxGridPoints = 10_000

    /// Loads and validates a spec file; its `spectrum_files` are relative to its directory.
    public static func load(path: String) throws -> (spec: SweepSpec, text: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpecError(file: path, key: nil, problem: "no such file", line: nil)
        }
        guard !isDirectory.boolValue else {
            throw SpecError(file: path, key: nil, problem: "is a directory, not a spec file", line: nil)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(file: path, key: nil, problem: "cannot read the file", line: nil)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: path, key: nil, problem: "not UTF-8 text", line: nil)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return (try parse(text, file: path, searchDirectories: [directory]), text)
    }

    /// Parses and validates spec text; `file` names it in errors. A relative `spectrum_files`
    /// path is looked up in `searchDirectories` in order (the first that holds it wins; the
    /// working directory when empty): a results file's `/spec` has lost its directory, so its
    /// spectrum files are sought beside the results file and in the working directory.
    public static func parse(_ text: String, file: String = "<spec>", searchDirectories: [String] = []) throws -> SweepSpec {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SpecError(file: file, key: nil, problem: "malformed YAML: \(Self.oneLine(error))", line: nil)
        } catch {
            throw SpecError(file: file, key: nil, problem: "malformed YAML: \(error)", line: nil)
        }
        guard let root = node, let mapping = root.mapping else {
            throw SpecError(file: file, key: nil, problem: "expected a mapping of keys (see jobs/default.yaml)", line: nil)
        }
        let reader = SpecReader(file: file, mapping: mapping, searchDirectories: searchDirectories)
        try reader.checkKeys(allowed: keys + ["replicates"] + optionalKeys, required: keys.filter { $0 != "seeds" }, context: nil)
        let given = replicateKeys.filter { reader.value($0) != nil }
        guard given.count == 1 else {
            throw SpecError(file: file, key: given.isEmpty ? "seeds" : nil,
                            problem: given.isEmpty ? "missing (give 'seeds: K' for replicates 0…K−1, or 'replicates: A..B')"
                                : "give either 'seeds' or 'replicates', not both", line: nil)
        }
        return try reader.readSpec()
    }

    /// Yams's messages span several lines with a source excerpt; keep the first sentence.
    static func oneLine(_ error: YamlError) -> String {
        var text = String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        if let context = text.range(of: " Context:") { text = String(text[..<context.lowerBound]) }
        return text.trimmingCharacters(in: .whitespaces)
    }
}

/// Reads typed, validated values out of a YAML mapping, naming the key in every error.
struct SpecReader {
    let file: String
    let mapping: Node.Mapping
    var searchDirectories: [String] = []

    func fail(_ key: String, _ problem: String, _ node: Node? = nil) -> SpecError {
        SpecError(file: file, key: key, problem: problem, line: node?.mark.map { $0.line })
    }

    /// The value of `key`, matched by the key's text as `checkKeys` sees it (Yams's subscript
    /// also compares tags, so a key written `!x seeds` would pass the check and not be found).
    func value(_ key: String) -> Node? { mapping.first { $0.key.scalar?.string == key }?.value }

    func checkKeys(allowed: [String], required: [String], context: String?) throws {
        var seen = Set<String>()
        for (keyNode, _) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw SpecError(file: file, key: nil, problem: "keys must be plain names", line: keyNode.mark?.line)
            }
            let shown = context.map { "\($0).\(key)" } ?? key
            if !seen.insert(key).inserted {
                throw fail(shown, "appears twice", keyNode)
            }
            if !allowed.contains(key) {
                var problem = "unknown key"
                if let suggestion = closestMatch(to: key, among: allowed) {
                    problem += " (did you mean '\(context.map { "\($0)." } ?? "")\(suggestion)'?)"
                }
                throw fail(shown, problem, keyNode)
            }
        }
        for key in required where !seen.contains(key) {
            let shown = context.map { "\($0).\(key)" } ?? key
            throw SpecError(file: file, key: shown,
                            problem: "missing (every parameter must be stated; see jobs/default.yaml)", line: nil)
        }
    }

    func scalarText(_ key: String, _ node: Node) throws -> String {
        guard let scalar = node.scalar else { throw fail(key, "expected a single value, got a \(kind(node))", node) }
        return scalar.string
    }

    func int(_ key: String, _ node: Node, min: Int, max: Int = SweepSpec.maxDimension, what: String) throws -> Int {
        let text = try scalarText(key, node)
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            if let real = Double(text), real.isFinite {
                throw fail(key, "must be an integer, got \(text)", node)
            }
            throw fail(key, "must be an integer, got '\(text)'", node)
        }
        guard value >= min else { throw fail(key, "must be \(what), got \(value)", node) }
        guard value <= max else { throw fail(key, "must be at most \(max), got \(value)", node) }
        return value
    }

    func real(_ key: String, _ node: Node) throws -> Double {
        let text = try scalarText(key, node)
        guard let value = Double(text), value.isFinite else {
            throw fail(key, "must be a finite number, got '\(text)'", node)
        }
        return value
    }

    func list(_ key: String) throws -> [Node] {
        let node = value(key)!
        guard let sequence = node.sequence else {
            throw fail(key, "must be a list like [1, 2, 3], got a \(kind(node))", node)
        }
        guard !sequence.isEmpty else { throw fail(key, "must not be empty", node) }
        return Array(sequence)
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return "single value"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }

    func distinctSorted<T: Comparable & Hashable>(_ key: String, _ values: [T], _ node: Node) throws -> [T] {
        var seen = Set<T>()
        for v in values where !seen.insert(v).inserted {
            // Optimizers by their spec names (GD), not their Swift case names (gd).
            let shown = (v as? OptimizerKind)?.rawValue ?? "\(v)"
            throw fail(key, "lists \(shown) twice", node)
        }
        return values.sorted()
    }

    func logGrid(_ key: String) throws -> LogGrid {
        let node = value(key)!
        guard let inner = node.mapping else {
            throw fail(key, "must be a mapping {log10_min: a, log10_max: b, log10_step: c}", node)
        }
        let reader = SpecReader(file: file, mapping: inner)
        try reader.checkKeys(allowed: SweepSpec.gridKeys, required: SweepSpec.gridKeys, context: key)
        let lo = try reader.real("\(key).log10_min", reader.value("log10_min")!)
        let hi = try reader.real("\(key).log10_max", reader.value("log10_max")!)
        let step = try reader.real("\(key).log10_step", reader.value("log10_step")!)
        guard step > 0 else { throw fail("\(key).log10_step", "must be positive, got \(step)", reader.value("log10_step")) }
        guard hi >= lo else { throw fail(key, "is empty: log10_max (\(hi)) < log10_min (\(lo))", node) }
        guard abs(lo) <= 300, abs(hi) <= 300 else { throw fail(key, "learning rates 10^\(lo)…10^\(hi) are out of range", node) }
        let grid = LogGrid(log10Min: lo, log10Max: hi, log10Step: step)
        guard grid.count <= SweepSpec.maxGridPoints else {
            throw fail(key, "has \(grid.count) points; at most \(SweepSpec.maxGridPoints)", node)
        }
        return grid
    }

    /// `seeds: K` as 0..<K, or `replicates: A..B` as A..<B+1.
    func replicateRange() throws -> Range<Int> {
        if let node = value("seeds") {
            let seeds = try int("seeds", node, min: 1, max: 1_000_000, what: "a positive number of replicates")
            return 0..<seeds
        }
        let node = value("replicates")!
        let text = try scalarText("replicates", node)
        let ends = text.components(separatedBy: "..")
        guard ends.count == 2, let first = Int(ends[0].trimmingCharacters(in: .whitespaces)),
              let last = Int(ends[1].trimmingCharacters(in: .whitespaces)) else {
            throw fail("replicates", "must be a range A..B of replicate indices (both included), e.g. 16..63, got '\(text)'", node)
        }
        guard first >= 0, last >= first else {
            throw fail("replicates", "must be A..B with 0 ≤ A ≤ B, got \(first)..\(last)", node)
        }
        guard last < SweepSpec.maxReplicate else {
            throw fail("replicates", "replicate indices must be below \(SweepSpec.maxReplicate), got \(last)", node)
        }
        guard last - first < 1_000_000 else {
            throw fail("replicates", "at most 1000000 replicates in one spec, got \(last - first + 1)", node)
        }
        return first..<(last + 1)
    }

    func readSpec() throws -> SweepSpec {
        var experiment = Experiment()
        experiment.D = try int("D", value("D")!, min: 1, what: "a positive integer")
        experiment.K = try int("K", value("K")!, min: 1, max: 4096, what: "a positive integer")
        experiment.beta = try real("beta", value("beta")!)
        // k^(−β) and k^(−s) for k up to D must stay normal doubles.
        let decayBound = 300 / log10(Double(max(experiment.D, 10)))
        guard abs(experiment.beta) <= decayBound else {
            throw fail("beta", "must be within ±\(String(format: "%.4g", decayBound)) for D=\(experiment.D) (k^-beta must stay a finite number), got \(experiment.beta)", value("beta"))
        }
        experiment.sigma = try real("sigma", value("sigma")!)
        guard experiment.sigma >= 0, experiment.sigma <= SweepSpec.maxSigma else {
            throw fail("sigma", "must be in 0…\(Int(SweepSpec.maxSigma)) (the label noise against a signal of variance 1), got \(experiment.sigma)", value("sigma"))
        }
        experiment.n = try int("n", value("n")!, min: 2, max: 1 << 26, what: "an integer ≥ 2")
        experiment.T = try int("T", value("T")!, min: 1, max: 1_000_000, what: "a positive integer")

        let masterNode = value("master_seed")!
        let masterText = try scalarText("master_seed", masterNode)
        guard let master = UInt64(masterText) else {
            throw fail("master_seed", "must be an integer in 0…\(UInt64.max), got '\(masterText)'", masterNode)
        }
        experiment.masterSeed = master

        let samplerNode = value("sampler")!
        let samplerText = try scalarText("sampler", samplerNode)
        guard let sampler = SamplerKind(rawValue: samplerText) else {
            throw fail("sampler", "must be one of \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(samplerText)'", samplerNode)
        }
        experiment.sampler = sampler
        experiment.adamLR = try logGrid("adam_lr")
        experiment.matSignLR = try logGrid("matsign_lr")

        let nNodes = try list("N")
        var featureCounts: [Int] = []
        for element in nNodes {
            let v = try int("N", element, min: 1, what: "a positive integer")
            guard v <= experiment.n else { throw fail("N", "N=\(v) exceeds the number of training samples n=\(experiment.n)", element) }
            guard experiment.sampler != .wishart || v + experiment.K <= experiment.n else {
                throw fail("N", "N=\(v) with K=\(experiment.K) needs n ≥ N + K=\(v + experiment.K) for sampler wishart (the Bartlett factor has n − N − K + 1 degrees of freedom left), got n=\(experiment.n)", element)
            }
            guard v < experiment.D else {
                throw fail("N", "N=\(v) must be below D=\(experiment.D) (the theory's spectrum and the random-feature map need N < D)", element)
            }
            featureCounts.append(v)
        }
        featureCounts = try distinctSorted("N", featureCounts, value("N")!)
        guard featureCounts.count >= 2 else { throw fail("N", "needs at least two values to fit an exponent", value("N")) }

        var decays: [Double] = []
        for element in try list("s") {
            let v = try real("s", element)
            guard v > 0 else { throw fail("s", "must be positive, got \(v)", element) }
            guard v <= decayBound else {
                throw fail("s", "must be at most \(String(format: "%.4g", decayBound)) for D=\(experiment.D) (k^-s must stay a finite number), got \(v)", element)
            }
            decays.append(v)
        }
        decays = try distinctSorted("s", decays, value("s")!)
        if let node = value("spectrum_files") {
            experiment.spectrumFiles = try spectrumFiles(node, D: experiment.D, decays: decays)
        }

        let replicates = try replicateRange()

        var optimizers: [OptimizerKind] = []
        for element in try list("optimizers") {
            let name = try scalarText("optimizers", element)
            guard let kind = OptimizerKind(rawValue: name) else {
                if name.hasPrefix("Precond(") {
                    throw fail("optimizers", "'\(name)': Precond(p) needs a power 0 ≤ p ≤ 1, e.g. Precond(0.25)", element)
                }
                var problem = "unknown optimizer '\(name)'"
                if let suggestion = closestMatch(to: name, among: OptimizerKind.allCases.map(\.rawValue) + ["Precond(p)"]) {
                    problem += " (did you mean '\(suggestion)'?)"
                }
                throw fail("optimizers", problem + "; known: " + OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")
                           + ", Precond(p) for 0 ≤ p ≤ 1", element)
            }
            optimizers.append(kind)
        }
        optimizers = try distinctSorted("optimizers", optimizers, value("optimizers")!)

        let spec = SweepSpec(experiment: experiment,
                             grid: SweepGrid(N: featureCounts, s: decays, replicates: replicates, optimizers: optimizers))
        guard spec.grid.taskCount <= 50_000_000 else {
            throw SpecError(file: file, key: nil, problem: "the grid has \(spec.grid.taskCount) tasks; at most 50 000 000", line: nil)
        }
        return spec
    }
}

extension SpecReader {
    /// `spectrum_files: {s: path, …}`: each s of the grid named here uses the file's eigenvalues
    /// (D positive numbers, SPEC §1) in place of k^(−s). The file's content, by its SHA-256,
    /// enters the experiment's identity; its path does not.
    func spectrumFiles(_ node: Node, D: Int, decays: [Double]) throws -> [FileSpectrum] {
        guard let entries = node.mapping, !entries.isEmpty else {
            throw fail("spectrum_files", "must be a mapping {s: path} from values of 's' to eigenvalue files", node)
        }
        var spectra: [FileSpectrum] = []
        for (labelNode, pathNode) in entries {
            let label = try real("spectrum_files", labelNode)
            let key = "spectrum_files.\(labelNode.scalar?.string ?? "\(label)")"
            guard decays.contains(label) else {
                throw fail(key, "\(label) is not one of the values of 's' (\(decays.map { "\($0)" }.joined(separator: ", ")))", labelNode)
            }
            guard !spectra.contains(where: { $0.label == label }) else { throw fail(key, "names s = \(label) twice", labelNode) }
            let given = try scalarText(key, pathNode)
            guard !given.isEmpty else { throw fail(key, "must be the path of an eigenvalue file", pathNode) }
            let candidates = given.hasPrefix("/") || searchDirectories.isEmpty ? [given] : searchDirectories.map { $0 + "/" + given }
            let path = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
            if !given.hasPrefix("/"), !searchDirectories.isEmpty, !FileManager.default.fileExists(atPath: path) {
                throw fail(key, "\(given): no such file in \(searchDirectories.joined(separator: " or "))", pathNode)
            }
            let data = try readSpectrumFile(path, key: key, node: pathNode)
            guard let text = String(data: data, encoding: .utf8) else { throw fail(key, "\(given): not UTF-8 text", pathNode) }
            let eigenvalues: [Double]
            do {
                eigenvalues = try FileSpectrum.eigenvalues(parsing: text, expectedCount: D)
            } catch let error as FileSpectrum.FormatError {
                throw fail(key, "\(given): \(error)", pathNode)
            }
            spectra.append(FileSpectrum(label: label, sha256: SweepSpec.sha256(data), eigenvalues: eigenvalues,
                                        writtenPath: given, foundPath: path))
        }
        return spectra.sorted { $0.label < $1.label }
    }

    /// A spectrum file's bytes: a regular file (no directory, device or FIFO) of bounded size.
    func readSpectrumFile(_ path: String, key: String, node: Node) throws -> Data {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw fail(key, "\(path): no such file", node)
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw fail(key, "\(path): not a regular file (directories, devices and symbolic links are refused)", node)
        }
        guard let size = attributes[.size] as? Int, size <= SweepSpec.maxSpectrumFileBytes else {
            throw fail(key, "\(path): larger than \(SweepSpec.maxSpectrumFileBytes >> 20) MB", node)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail(key, "\(path): cannot read the file", node) }
        return data
    }
}

/// The allowed word closest to `word` by edit distance (case-insensitive), if it is close.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    if let containing = candidates.first(where: { $0.lowercased().hasSuffix(word.lowercased()) && word.count >= 3 }) {
        return containing
    }
    let lowered = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(lowered, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}
