import Foundation
import Sweep
import Vocabulary
import XCTest

final class SpecTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testDefaultYAMLIsTheSpecDefaultsWithTheWishartSampler() throws {
        let (spec, _) = try SweepSpec.load(path: Self.repoRoot.appendingPathComponent("jobs/default.yaml").path)
        var expected = SweepSpec()
        expected.experiment.sampler = .wishart
        XCTAssertEqual(spec, expected)
        XCTAssertEqual(spec.grid.taskCount, 3360)
        XCTAssertEqual(spec.experiment.adamLR.count, 17)
        XCTAssertEqual(spec.experiment.matSignLR.count, 21)
        XCTAssertEqual(spec.experiment.adamLR.values.first, 0.01)
        XCTAssertEqual(spec.experiment.adamLR.values.last, 100)
        XCTAssertEqual(spec.experiment.matSignLR.values.last, 1000)
    }

    func testSmokeSpecLoads() throws {
        let (spec, _) = try SweepSpec.load(path: Self.repoRoot.appendingPathComponent("jobs/smoke.yaml").path)
        XCTAssertEqual(spec.grid.taskCount, 120)
    }

    func testYAMLRoundTripAndHashIgnoresFormatting() throws {
        let spec = SweepSpec()
        let reparsed = try SweepSpec.parse(spec.yaml)
        XCTAssertEqual(reparsed, spec)
        XCTAssertEqual(reparsed.sha256, spec.sha256)
        let (fromFile, text) = try SweepSpec.load(path: Self.repoRoot.appendingPathComponent("jobs/default.yaml").path)
        XCTAssertNotEqual(text, spec.yaml)
        var wishart = spec
        wishart.experiment.sampler = .wishart
        XCTAssertEqual(fromFile.sha256, wishart.sha256)
        var other = spec
        other.experiment.sigma = 0.31
        XCTAssertNotEqual(other.sha256, spec.sha256)
    }

    func testGridsAreSortedCanonically() throws {
        let text = SweepSpec().yaml.replacingOccurrences(of: "N: [16, 32, 64, 128, 256, 512, 1024]", with: "N: [64, 16]")
            .replacingOccurrences(of: "optimizers: [GD, Adam, MatSign, SqrtNG, NG]", with: "optimizers: [NG, GD]")
        let spec = try SweepSpec.parse(text)
        XCTAssertEqual(spec.grid.N, [16, 64])
        XCTAssertEqual(spec.grid.optimizers, [.gd, .ng])
    }

    /// Each bad spec names the key (or file) and what is wrong.
    func testBadSpecsAreRefusedWithTheKeyNamed() {
        let base = SweepSpec().yaml
        func replacing(_ line: String, with new: String) -> String {
            let lines = base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return lines.map { $0.hasPrefix(line + ":") ? new : $0 }.joined(separator: "\n")
        }
        let cases: [(String, String, String)] = [
            ("malformed", "D: [1, 2\n", "malformed YAML"),
            ("not a mapping", "- 1\n- 2\n", "expected a mapping"),
            ("unknown key", base + "sgima: 0.3\n", "did you mean 'sigma'"),
            ("missing key", replacing("sigma", with: ""), "key 'sigma': missing"),
            ("wrong type", replacing("D", with: "D: lots"), "key 'D': must be an integer"),
            ("fraction", replacing("D", with: "D: 20.5"), "key 'D': must be an integer"),
            ("N zero", replacing("N", with: "N: [0, 16]"), "key 'N': must be a positive integer"),
            ("N above n", replacing("N", with: "N: [16, 9000]"), "exceeds the number of training samples"),
            ("N above D", replacing("D", with: "D: 100"), "must be below D=100"),
            ("N single", replacing("N", with: "N: [16]"), "at least two values"),
            ("N empty", replacing("N", with: "N: []"), "key 'N': must not be empty"),
            ("N duplicate", replacing("N", with: "N: [16, 16, 32]"), "lists 16 twice"),
            ("N scalar", replacing("N", with: "N: 16"), "must be a list"),
            ("s zero", replacing("s", with: "s: [0.0, 1.0]"), "key 's': must be positive"),
            ("s negative", replacing("s", with: "s: [-1.0, 1.0]"), "key 's': must be positive"),
            ("s nan", replacing("s", with: "s: [.nan]"), "key 's': must be a finite number"),
            ("n zero", replacing("n", with: "n: 0"), "key 'n': must be an integer ≥ 2"),
            ("T zero", replacing("T", with: "T: 0"), "key 'T': must be a positive integer"),
            ("sigma negative", replacing("sigma", with: "sigma: -0.1"), "key 'sigma': must be in 0…1000"),
            ("K zero", replacing("K", with: "K: 0"), "key 'K': must be a positive integer"),
            ("optimizer unknown", replacing("optimizers", with: "optimizers: [GD, Muon]"), "unknown optimizer 'Muon'"),
            ("optimizer typo", replacing("optimizers", with: "optimizers: [GD, adam]"), "did you mean 'Adam'"),
            ("optimizers empty", replacing("optimizers", with: "optimizers: []"), "key 'optimizers': must not be empty"),
            ("lr empty", replacing("adam_lr", with: "adam_lr: {log10_min: 1.0, log10_max: -1.0, log10_step: 0.25}"), "is empty"),
            ("lr step", replacing("adam_lr", with: "adam_lr: {log10_min: -1.0, log10_max: 1.0, log10_step: 0.0}"), "adam_lr.log10_step': must be positive"),
            ("lr key", replacing("matsign_lr", with: "matsign_lr: {log10_min: -1.0, log10_max: 1.0, step: 0.25}"), "did you mean 'matsign_lr.log10_step'"),
            ("seeds negative", replacing("seeds", with: "seeds: -3"), "key 'seeds': must be a positive number"),
            ("sampler", replacing("sampler", with: "sampler: exact"), "key 'sampler': must be one of joint, direct"),
            ("master seed", replacing("master_seed", with: "master_seed: -1"), "key 'master_seed'"),
            ("duplicate key", base + "D: 2048\n", "duplicated key(s): 'D'"),
        ]
        for (name, text, expected) in cases {
            XCTAssertThrowsError(try SweepSpec.parse(text, file: "bad.yaml"), name) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.hasPrefix("bad.yaml"), "\(name): \(message)")
                XCTAssertTrue(message.contains(expected), "\(name): expected '\(expected)' in: \(message)")
                XCTAssertFalse(message.contains("\n"), "\(name): one line: \(message)")
            }
        }
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try SweepSpec.load(path: "/nonexistent/spec.yaml")) { error in
            XCTAssertEqual(String(describing: error), "/nonexistent/spec.yaml: no such file")
        }
    }
}

/// A spec's identity in two parts: the experiment (what can change a result) and the grid.
final class SpecIdentityTests: XCTestCase {
    func spec(_ replace: [String: String] = [:]) throws -> SweepSpec {
        var text = SweepSpec().yaml
        for (key, line) in replace {
            text = text.split(separator: "\n").map { $0.hasPrefix(key + ":") ? line : String($0) }.joined(separator: "\n")
        }
        return try SweepSpec.parse(text)
    }

    func testTheGridDoesNotChangeTheExperiment() throws {
        let base = try spec()
        let grown = try spec(["seeds": "seeds: 64", "N": "N: [16, 32, 1024, 2000]", "optimizers": "optimizers: [GD, NG]"])
        XCTAssertEqual(base.experimentSHA256, grown.experimentSHA256)
        XCTAssertNotEqual(base.sha256, grown.sha256)
        let other = try spec(["sigma": "sigma: 0.25"])
        XCTAssertNotEqual(base.experimentSHA256, other.experimentSHA256)
        XCTAssertEqual(Experiment.differences(base.experiment.canonicalText, other.experiment.canonicalText,
                                              firstLabel: "archive", secondLabel: "spec"), ["sigma: archive 0.3, spec 0.25"])
        for (key, line) in [("T", "T: 17"), ("sampler", "sampler: direct"), ("master_seed", "master_seed: 1"),
                            ("adam_lr", "adam_lr: {log10_min: -2, log10_max: 2, log10_step: 0.5}"), ("D", "D: 4096"),
                            ("K", "K: 4"), ("beta", "beta: 0.5"), ("n", "n: 4096")] {
            XCTAssertNotEqual(try spec([key: line]).experimentSHA256, base.experimentSHA256, key)
        }
    }

    func testReplicatesAreACountOrARange() throws {
        let range = try spec(["seeds": "replicates: 16..63"])
        XCTAssertEqual(range.grid.replicates, 16..<64)
        XCTAssertEqual(range.grid.canonicalText.split(separator: "\n")[2], "replicates: 16..63")
        XCTAssertEqual(try spec(["seeds": "replicates: 0..15"]).sha256, try spec().sha256, "0..15 is seeds: 16")
        XCTAssertEqual(try SweepSpec.parse(range.yaml), range)
        func refusal(_ line: String) -> String {
            do { _ = try spec(["seeds": line]); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal("replicates: 5..2"), "<spec>:9: key 'replicates': must be A..B with 0 ≤ A ≤ B, got 5..2")
        XCTAssertTrue(refusal("replicates: many").contains("must be a range A..B"))
        XCTAssertTrue(refusal("replicates: -1..3").contains("0 ≤ A"))
        var both = SweepSpec().yaml + "replicates: 0..3\n"
        XCTAssertThrowsError(try SweepSpec.parse(both)) { XCTAssertTrue("\($0)".contains("either 'seeds' or 'replicates'")) }
        both = SweepSpec().yaml.replacingOccurrences(of: "seeds: 16\n", with: "")
        XCTAssertThrowsError(try SweepSpec.parse(both)) { XCTAssertTrue("\($0)".contains("key 'seeds': missing")) }
    }

    func testGridTextsRoundTripAndHull() throws {
        let grid = SweepGrid(N: [16, 64], s: [0.5, 1.25], replicates: 3..<9, optimizers: [.gd, .matSign])
        XCTAssertEqual(SweepGrid(canonicalText: grid.canonicalText), grid)
        XCTAssertNil(SweepGrid(canonicalText: "N: 16 x\ns: 1\nreplicates: 0..1\noptimizers: GD\n"))
        let other = SweepGrid(N: [32], s: [0.5], replicates: 0..<2, optimizers: [.ng])
        XCTAssertEqual(SweepGrid.hull([grid, other]),
                       SweepGrid(N: [16, 32, 64], s: [0.5, 1.25], replicates: 0..<9, optimizers: [.gd, .matSign, .ng]))
    }
}

/// SPEC §4's Precond(p) in a spec's optimizer list, and SPEC §1's spectra from files.
final class PrecondAndSpectrumFileSpecTests: XCTestCase {
    func specText(_ replace: [String: String] = [:], extra: String = "") -> String {
        var text = SweepSpec().yaml
        for (key, line) in replace {
            text = text.split(separator: "\n").map { $0.hasPrefix(key + ":") ? line : String($0) }.joined(separator: "\n")
        }
        return text + "\n" + extra
    }

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Precond(p) is a grid optimizer: it changes the grid, never the experiment, so archives
    /// without it keep their experiment hash (and the default experiment's text is unchanged).
    func testPrecondIsAGridOptimizerAndLeavesTheExperimentHashAlone() throws {
        let base = try SweepSpec.parse(specText())
        let withPrecond = try SweepSpec.parse(specText(["optimizers": "optimizers: [GD, Precond(0.75), NG, Precond(0.25)]"]))
        XCTAssertEqual(withPrecond.grid.optimizers.map(\.rawValue), ["GD", "NG", "Precond(0.25)", "Precond(0.75)"])
        XCTAssertEqual(withPrecond.experimentSHA256, base.experimentSHA256)
        XCTAssertNotEqual(withPrecond.sha256, base.sha256)
        XCTAssertEqual(SweepGrid(canonicalText: withPrecond.grid.canonicalText), withPrecond.grid)
        XCTAssertFalse(base.experiment.canonicalText.contains("spectrum"))
        for bad in ["Precond(2)", "Precond(-0.5)", "Precond(x)"] {
            XCTAssertThrowsError(try SweepSpec.parse(specText(["optimizers": "optimizers: [GD, \(bad)]"]), file: "p.yaml")) { error in
                XCTAssertTrue("\(error)".contains("key 'optimizers'") && "\(error)".contains("0 ≤ p ≤ 1"), "\(error)")
            }
        }
        XCTAssertThrowsError(try SweepSpec.parse(specText(["optimizers": "optimizers: [Precond(0.5), Precond(0.50)]"])))
    }

    /// The default experiment's text and hash are those of the versions before Precond(p) and
    /// spectrum files (written out here by hand), so archives keep their experiment.
    func testTheDefaultExperimentKeepsItsEarlierTextAndHash() throws {
        let earlier = "alphasweep-experiment 1\nD: 2048\nK: 8\nbeta: 0.0\nsigma: 0.3\nn: 8192\nT: 16\nsampler: joint\n"
            + "master_seed: 20260501\nadam_lr: {log10_min: -2.0, log10_max: 2.0, log10_step: 0.25}\n"
            + "matsign_lr: {log10_min: -2.0, log10_max: 3.0, log10_step: 0.25}\n"
        let spec = try SweepSpec.parse(specText(["optimizers": "optimizers: [GD, Precond(0.5)]"]))
        XCTAssertEqual(spec.experiment.canonicalText, earlier)
        XCTAssertEqual(spec.experimentSHA256, "5d9e07926114acdee5a22a1414c1379cb7ccbab15a894d74e716f5978c807a69")
    }

    /// A file spectrum enters the experiment by its content's hash: the same bytes at another
    /// path give the same experiment, other bytes another one; relative paths are taken from
    /// the spec's directory.
    func testSpectrumFileIdentityIsItsContentNotItsPath() throws {
        let dir = try scratch()
        let D = 64
        let values = (1...D).map { k in k <= 8 ? pow(Double(k), -0.5) : pow(8, 1.5) * pow(Double(k), -2) }
        let text = values.map { "\($0)" }.joined(separator: "\n") + "\n"
        try text.write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try text.write(to: dir.appendingPathComponent("sub/b.txt"), atomically: true, encoding: .utf8)
        try (text + "1e-9\n").write(to: dir.appendingPathComponent("c.txt"), atomically: true, encoding: .utf8)
        func load(_ file: String, d: Int = D) throws -> SweepSpec {
            let spec = dir.appendingPathComponent("spec-\(UUID().uuidString).yaml")
            try specText(["D": "D: \(d)", "N": "N: [8, 16, 32]", "s": "s: [1.0, 7.0]"], extra: "spectrum_files: {7: \(file)}\n")
                .write(to: spec, atomically: true, encoding: .utf8)
            return try SweepSpec.load(path: spec.path).spec
        }
        let a = try load("a.txt"), b = try load(dir.appendingPathComponent("sub/b.txt").path)
        XCTAssertEqual(a.experimentSHA256, b.experimentSHA256)
        XCTAssertEqual(a.sha256, b.sha256)
        XCTAssertTrue(a.experiment.canonicalText.contains("spectrum_files: {7.0: sha256 "))
        let file = try XCTUnwrap(a.experiment.fileSpectrum(s: 7))
        XCTAssertEqual(file.eigenvalues.count, D)
        XCTAssertEqual(file.eigenvalues.reduce(0, +), 1, accuracy: 1e-14)
        XCTAssertEqual(file.eigenvalues, file.eigenvalues.sorted(by: >))
        XCTAssertNil(a.experiment.fileSpectrum(s: 1))
        XCTAssertEqual(try SweepSpec.parse(a.yaml).experimentSHA256, a.experimentSHA256, "the YAML rendering keeps the file")
        var withoutFile = a
        withoutFile.experiment.spectrumFiles = []
        XCTAssertNotEqual(withoutFile.experimentSHA256, a.experimentSHA256)
        // One more eigenvalue is another file: refused at D = 64, another experiment at D = 65.
        XCTAssertThrowsError(try load("c.txt")) { XCTAssertTrue("\($0)".contains("holds 65 eigenvalues; D = 64"), "\($0)") }
        XCTAssertNotEqual(try load("c.txt", d: 65).experimentSHA256, a.experimentSHA256)
    }

    /// Bad spectrum files and labels are refused in one line naming the key and the file.
    func testBadSpectrumFilesAreRefusedInOneLine() throws {
        let dir = try scratch()
        try "1\n2\nminus\n".write(to: dir.appendingPathComponent("word.txt"), atomically: true, encoding: .utf8)
        try "1\n0\n".write(to: dir.appendingPathComponent("zero.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            ("spectrum_files: {7: missing.txt}", "missing.txt: no such file"),
            ("spectrum_files: {7: word.txt}", "line 3: 'minus' is not a finite number"),
            ("spectrum_files: {7: zero.txt}", "line 2: eigenvalue 0.0 is not positive"),
            ("spectrum_files: {7: adir}", "not a regular file"),
            ("spectrum_files: {3: word.txt}", "3.0 is not one of the values of 's'"),
            ("spectrum_files: [a.txt]", "must be a mapping"),
        ]
        for (line, expected) in cases {
            let spec = dir.appendingPathComponent("bad.yaml")
            try specText(["s": "s: [1.0, 7.0]"], extra: line + "\n").write(to: spec, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try SweepSpec.load(path: spec.path), line) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("key 'spectrum_files"), message)
                XCTAssertTrue(message.contains(expected), "expected '\(expected)' in: \(message)")
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }
}

final class SpecKeyTagTests: XCTestCase {
    /// Found by the spec fuzzer: a key with an explicit YAML tag passed the key check (which
    /// reads the key's text) but was not found by Yams's subscript (which compares tags), and
    /// the reader trapped on a missing value. Keys are now matched by their text everywhere.
    func testATaggedKeyIsTheSameKey() throws {
        let plain = SweepSpec().yaml
        let tagged = plain.replacingOccurrences(of: "log10_step:", with: "!x log10_step:")
            .replacingOccurrences(of: "\nseeds:", with: "\n!y seeds:")
        XCTAssertNotEqual(tagged, plain)
        XCTAssertEqual(try SweepSpec.parse(tagged), try SweepSpec.parse(plain))
    }
}
