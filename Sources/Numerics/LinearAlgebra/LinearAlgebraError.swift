/// A failure reported by a BLAS/LAPACK routine, or an input it cannot take.
public struct LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The LAPACK routine that failed, e.g. "dpotrf".
    public var routine: String
    /// LAPACK's `info` (< 0: argument -info was illegal; > 0: routine-specific failure).
    public var info: Int
    /// What it means, in a few words.
    public var detail: String

    public init(routine: String, info: Int, detail: String = "") {
        self.routine = routine
        self.info = info
        self.detail = detail
    }

    public var description: String {
        "\(routine) failed (info = \(info))" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
