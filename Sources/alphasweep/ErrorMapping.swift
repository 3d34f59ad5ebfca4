import ResultsFile

/// Maps the modules' error types to the exit-code contract (2 bad input, 1 anything else).
enum ErrorMapping {
    static func exitCode(for error: Error) -> Int32? {
        if let error = error as? ResultsFileError { return error.exitCode }
        return nil
    }

    static func message(for error: Error) -> String {
        String(describing: error)
    }
}
