import ResultsFile
import Slurm

/// Maps the modules' error types to the exit-code contract (2 bad input, 1 anything else).
enum ErrorMapping {
    static func exitCode(for error: Error) -> Int32? {
        if let error = error as? ResultsFileError { return error.exitCode }
        if let error = error as? SubmitError { return error.isBadInput ? 2 : 1 }
        return nil
    }

    static func message(for error: Error) -> String {
        String(describing: error)
    }
}
