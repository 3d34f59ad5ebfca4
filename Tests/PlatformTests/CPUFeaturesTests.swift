import Platform
import XCTest

/// `alphasweep doctor` warns when OPENBLAS_CORETYPE forces kernels weaker than the CPU's.
final class CPUFeaturesTests: XCTestCase {
    func testForcedCoreWarning() {
        func warns(_ forced: String?, _ inUse: String, _ supported: String?) -> Bool {
            CPUFeatures.forcedCoreWarning(forced: forced, inUse: inUse, supported: supported) != nil
        }
        // An AVX2 machine (this project's): Sandybridge, Barcelona, Prescott are weaker.
        XCTAssertTrue(warns("Sandybridge", "Sandybridge", "Haswell"))
        XCTAssertTrue(warns("sandybridge", "Sandybridge", "Haswell"))
        XCTAssertTrue(warns("Barcelona", "Barcelona", "Haswell"))
        XCTAssertTrue(warns("PRESCOTT", "Prescott", "Haswell"))
        XCTAssertFalse(warns("Haswell", "Haswell", "Haswell"))
        XCTAssertFalse(warns("Zen", "Zen", "Haswell"))
        XCTAssertFalse(warns(nil, "Zen", "Haswell"))
        // An AVX-512 machine with the variable at Haswell (the case).
        XCTAssertTrue(warns("Haswell", "Haswell", "SkylakeX"))
        XCTAssertFalse(warns("SkylakeX", "SkylakeX", "SkylakeX"))
        // What OpenBLAS runs decides: asking for a core it does not know leaves its own choice.
        XCTAssertFalse(warns("NoSuchCore", "Haswell", "Haswell"))
        XCTAssertTrue(warns("NoSuchCore", "Nehalem", "Haswell"))
        XCTAssertFalse(warns("Sandybridge", "Sandybridge", nil))
        let text = CPUFeatures.forcedCoreWarning(forced: "Sandybridge", inUse: "Sandybridge", supported: "Haswell")!
        XCTAssertTrue(text.contains("OPENBLAS_CORETYPE=Sandybridge") && text.contains("Haswell"))
    }
}

final class CPUFlagsTests: XCTestCase {
    func testTheStrongestCoreFollowsTheFlags() {
        XCTAssertEqual(CPUFeatures.strongestCore(flags: ["avx", "avx2", "fma"]), "Haswell")
        XCTAssertEqual(CPUFeatures.strongestCore(flags: ["avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw"]), "SkylakeX")
        XCTAssertEqual(CPUFeatures.strongestCore(flags: ["avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512_bf16"]),
                       "Cooperlake")
        XCTAssertEqual(CPUFeatures.strongestCore(flags: ["avx"]), "Sandybridge")
        XCTAssertNil(CPUFeatures.strongestCore(flags: ["sse2"]))
    }
}
