import Foundation
import ResultsFile
import TestSupport
import Vocabulary
import XCTest

/// Writes a results file for `Tests/python/test_results_file_h5py.py` when
/// `ALPHASWEEP_RESULTS_H5PY_OUT` names the output; does nothing otherwise.
final class PythonHookTests: XCTestCase {
    func testWriteFileForPythonReaders() throws {
        guard let path = ProcessInfo.processInfo.environment["ALPHASWEEP_RESULTS_H5PY_OUT"] else { return }
        try? FileManager.default.removeItem(atPath: path)
        let records = SampleRecords.awkward()
        try writeResultsFile(path, records: records)
        try writeAnalysis(to: path, numericColumns: ["alpha": [0.5, 0.75], "s": [0.5, 1.0]],
                          stringColumns: ["optimizer": ["GD", "Adam"]], attributes: ["method": "OLS on log-log"])
        let expected = ["rows": records.count, "nan_test_loss": records.filter { $0.outcome.testLoss.isNaN }.count]
        try JSONSerialization.data(withJSONObject: expected).write(to: URL(fileURLWithPath: path + ".expected.json"))
    }
}
