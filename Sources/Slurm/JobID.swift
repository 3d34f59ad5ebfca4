import Foundation

/// A job Slurm accepted, as `sbatch --parsable` reports it: `123` or `123;cluster`.
public struct JobID: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var id: Int
    public var cluster: String?

    public init(id: Int, cluster: String? = nil) {
        self.id = id
        self.cluster = cluster
    }

    /// Parses the standard output of `sbatch --parsable`: the last non-empty line is
    /// `id` or `id;cluster` (anything before it, such as a site's banner, is ignored).
    public init?(parsableOutput output: String) {
        guard let line = output.split(whereSeparator: \.isNewline)
            .map({ $0.trimmingCharacters(in: .whitespaces) }).last(where: { !$0.isEmpty }) else { return nil }
        let parts = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, first.count <= 18,
              first.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), let id = Int(first) else { return nil }
        let cluster = parts.count == 2 ? String(parts[1]) : nil
        self.init(id: id, cluster: cluster?.isEmpty == true ? nil : cluster)
    }

    public var description: String { cluster.map { "\(id);\($0)" } ?? "\(id)" }
}
