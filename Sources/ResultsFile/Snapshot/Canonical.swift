import Vocabulary

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
        let keys = tagged.map(\.record.key)
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
                        detail: last.resultDifference(item.record))
                }
                duplicates[item.source] += 1
            } else {
                records.append(item.record)
                keptSource = item.source
            }
        }
        return (records, duplicates)
    }
}
