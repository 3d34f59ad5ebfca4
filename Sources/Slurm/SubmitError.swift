/// Why a submission did not happen (or happened only in part), in one line.
///
/// `isBadInput` marks errors in what the user gave (spec, flags, paths): the CLI exits with 2
/// for those and with 1 for the rest (sbatch missing or failing, files that cannot be written).
public struct SubmitError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var isBadInput: Bool

    public init(_ message: String, isBadInput: Bool) {
        self.message = message
        self.isBadInput = isBadInput
    }

    static func badInput(_ message: String) -> SubmitError { SubmitError(message, isBadInput: true) }
    static func failure(_ message: String) -> SubmitError { SubmitError(message, isBadInput: false) }

    public var description: String { message }
}
