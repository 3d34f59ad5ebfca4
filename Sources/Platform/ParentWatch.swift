import Foundation

/// Whether the process that started this one is gone (the parent is then init or a
/// subreaper): a rank whose mpirun or slurmstepd died must not go on writing.
public struct ParentWatch: Sendable {
    let parent = getppid()

    public init() {}

    public var parentIsGone: Bool { getppid() != parent }
}
