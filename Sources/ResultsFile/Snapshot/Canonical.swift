import Sweep

/// Canonical row order and duplicate handling, shared by reader, writer and merge.
enum Canonical {
    /// Sorts tagged records in canonical task order and collapses duplicate keys: a duplicate
    /// with the same result (``TaskRecord/hasSameResult(as:)``) is dropped, keeping the record
    /// from the lowest-numbered source; one with a different result throws, naming both sources.
    ///
    /// - Parameters:
    ///   - tagged: records with the index of their source in `sources`.
    ///   - sources: names of the sources (file paths), for error messages.
    /// - Returns: the canonical records and, per source, how many of its records were dropped
    ///   as identical duplicates.
    static func fold(_ tagged: [(record: TaskRecord, source: Int)], sources: [String]) throws
        -> (records: [TaskRecord], duplicates: [Int]) {
        var duplicates = [Int](repeating: 0, count: sources.count)
        if isStrictlyIncreasing(tagged) { return (tagged.map(\.record), duplicates) }
        let sorted = tagged.enumerated().sorted { a, b in
            if a.element.record.key < b.element.record.key { return true }
            if b.element.record.key < a.element.record.key { return false }
            return (a.element.source, a.offset) < (b.element.source, b.offset)
        }
        var records: [TaskRecord] = []
        records.reserveCapacity(sorted.count)
        var keptSource = -1
        for (_, item) in sorted {
            if let last = records.last, last.key == item.record.key {
                guard last.hasSameResult(as: item.record) else {
                    throw ResultsFileError.conflictingDuplicate(
                        key: item.record.key.description, firstPath: sources[keptSource], secondPath: sources[item.source],
                        detail: difference(last, item.record))
                }
                duplicates[item.source] += 1
            } else {
                records.append(item.record)
                keptSource = item.source
            }
        }
        return (records, duplicates)
    }

    static func isStrictlyIncreasing(_ tagged: [(record: TaskRecord, source: Int)]) -> Bool {
        guard tagged.count > 1 else { return true }
        for i in 1..<tagged.count where !(tagged[i - 1].record.key < tagged[i].record.key) { return false }
        return true
    }

    /// What differs between two results for the same task, for the conflict message.
    static func difference(_ a: TaskRecord, _ b: TaskRecord) -> String {
        func bits(_ x: Double) -> String { "\(x) (0x\(String(x.bitPattern, radix: 16)))" }
        var parts: [String] = []
        if a.outcome.status != b.outcome.status { parts.append("status \(a.outcome.status.rawValue) vs \(b.outcome.status.rawValue)") }
        if a.outcome.testLoss.bitPattern != b.outcome.testLoss.bitPattern {
            parts.append("test_loss \(bits(a.outcome.testLoss)) vs \(bits(b.outcome.testLoss))")
        }
        if a.outcome.trainLoss.bitPattern != b.outcome.trainLoss.bitPattern {
            parts.append("train_loss \(bits(a.outcome.trainLoss)) vs \(bits(b.outcome.trainLoss))")
        }
        if a.outcome.lr.bitPattern != b.outcome.lr.bitPattern { parts.append("lr \(bits(a.outcome.lr)) vs \(bits(b.outcome.lr))") }
        if a.outcome.lrAtGridEdge != b.outcome.lrAtGridEdge { parts.append("lr_at_grid_edge differs") }
        return parts.joined(separator: ", ")
    }
}
