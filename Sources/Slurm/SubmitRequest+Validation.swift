import Foundation

extension SubmitRequest {
    /// Checks the flags on their own (the spec and the directory are checked by `submitSweep`).
    /// - Throws: `SubmitError` with `isBadInput`, naming the flag and the value.
    public func validate() throws {
        guard shards >= 1 else { throw SubmitError.badInput("--array: the number of shards must be at least 1, not \(shards)") }
        guard shards <= 1_000_000 else { throw SubmitError.badInput("--array: \(shards) shards is more than a Slurm cluster can queue") }
        if let maxRunning, !(1...100_000).contains(maxRunning) {
            throw SubmitError.badInput("--max-running: must be between 1 and 100000, not \(maxRunning)")
        }
        guard ranksPerShard >= 1 && ranksPerShard <= 100_000 else {
            throw SubmitError.badInput("--ranks-per-shard: must be at least 1, not \(ranksPerShard)")
        }
        guard (0...1000).contains(requeueLimit) else {
            throw SubmitError.badInput("--requeue-limit: must be between 0 and 1000, not \(requeueLimit)")
        }
        if let partition, !SlurmSyntax.isPartition(partition) {
            throw SubmitError.badInput("--partition: '\(partition)' is not a partition name (letters, digits, _ - . ; several separated by commas)")
        }
        if let account, !SlurmSyntax.isName(account) {
            throw SubmitError.badInput("--account: '\(account)' is not an account name (letters, digits, _ - .)")
        }
        if let time, !SlurmSyntax.isTime(time) {
            throw SubmitError.badInput("--time: '\(time)' is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
        }
        guard !outDirectory.isEmpty else { throw SubmitError.badInput("--out: give a directory") }
        guard !specPath.isEmpty else { throw SubmitError.badInput("no spec file given") }
        guard !sbatch.isEmpty else { throw SubmitError.badInput("--sbatch: give a command name or a path") }
        if let archive {
            guard FileManager.default.fileExists(atPath: archive) else { throw SubmitError.badInput("--extend: \(archive): no such file") }
        }
        for (flag, value) in [("--out", outDirectory), ("SPEC", specPath), ("--sbatch", sbatch), ("--extend", archive ?? "")]
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw SubmitError.badInput("\(flag): the path contains a control character")
        }
    }
}
