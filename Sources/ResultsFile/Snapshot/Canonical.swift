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
        let keys = tagged.map { SortKey($0.record.key) }
        if zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) { return (tagged.map(\.record), duplicates) }
        let order = keys.indices.sorted { a, b in
            keys[a] != keys[b] ? keys[a] < keys[b] : (tagged[a].source, a) < (tagged[b].source, b)
        }
        var records: [TaskRecord] = []
        records.reserveCapacity(order.count)
        var keptSource = -1
        for index in order {
            let item = tagged[index]
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

    /// TaskKey's canonical order (s, N, replicate, optimizer) with the optimizer's index
    /// computed once, for sorting many records quickly.
    struct SortKey: Comparable {
        var s: Double
        var N: Int
        var replicate: Int
        var optimizer: Int

        init(_ key: TaskKey) {
            s = key.s
            N = key.N
            replicate = key.replicate
            optimizer = key.optimizer.canonicalIndex
        }

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.s != b.s { return a.s < b.s }
            if a.N != b.N { return a.N < b.N }
            if a.replicate != b.replicate { return a.replicate < b.replicate }
            return a.optimizer < b.optimizer
        }
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
