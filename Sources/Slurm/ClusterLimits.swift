import Foundation

/// What the cluster allows a submission, from `scontrol show config`.
///
/// `MaxArraySize` bounds the array *indices*: every index must be below it, so an array of K
/// tasks indexed 0…K-1 needs K ≤ MaxArraySize. Slurm's default is 1001; sites lower it (or raise
/// it) in slurm.conf, which is why `submit` asks rather than assumes.
public struct ClusterLimits: Equatable, Sendable {
    /// Slurm's own default, used when the cluster cannot be asked.
    public static let slurmDefaultMaxArraySize = 1001

    public var maxArraySize: Int
    /// Where `maxArraySize` came from, for the summary: "scontrol show config" or why not.
    public var source: String

    public init(maxArraySize: Int, source: String) {
        self.maxArraySize = maxArraySize
        self.source = source
    }

    /// The limits in the text of `scontrol show config` (lines `Key = value`); nil when it has
    /// no usable `MaxArraySize` line.
    public init?(showConfig text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "MaxArraySize" else { continue }
            // 0 disables job arrays on the cluster: no array can be submitted at all.
            guard let value = Int(parts[1]), value >= 0 else { return nil }
            self.init(maxArraySize: value, source: "scontrol show config")
            return
        }
        return nil
    }

    /// Asks the cluster (`scontrol show config` through `run`); falls back to Slurm's default,
    /// saying why, when scontrol is missing, fails or prints no MaxArraySize.
    public static func query(scontrol: String, run: CommandRunner) -> ClusterLimits {
        let reason: String
        do {
            let output = try run([scontrol, "show", "config"])
            if let limits = ClusterLimits(showConfig: output) { return limits }
            reason = "scontrol show config printed no MaxArraySize"
        } catch {
            reason = "\(error)"
        }
        return ClusterLimits(maxArraySize: slurmDefaultMaxArraySize,
                             source: "Slurm's default: the cluster could not be asked (\(reason))")
    }
}

/// One array job of a submission: shards `firstShard ..< firstShard + count`, submitted as
/// array indices 0…count-1 (the batch script adds `firstShard`).
public struct ArrayChunk: Equatable, Sendable, Codable {
    public var firstShard: Int
    public var count: Int

    public var lastShard: Int { firstShard + count - 1 }

    /// K shards in as few array jobs as MaxArraySize allows, in order.
    public static func split(shards: Int, maxArraySize: Int) -> [ArrayChunk] {
        let size = max(1, maxArraySize)
        return stride(from: 0, to: shards, by: size).map { ArrayChunk(firstShard: $0, count: min(size, shards - $0)) }
    }
}
