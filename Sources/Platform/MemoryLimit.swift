import Foundation

/// How much memory this process may use: the node's physical memory, lowered by an address
/// space limit (`ulimit -v`) and by the memory limit of its cgroup and every ancestor (v2
/// memory.max or v1 memory.limit_in_bytes: what Slurm's `--mem` and containers set). A
/// whole-node figure alone would let a job with `--mem=4G` plan a grid that its cgroup then
/// kills hours in.
public enum MemoryLimit {
    /// Bytes, or nil when not even the physical memory can be read.
    public static var available: Double? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        var limits: [Double] = []
        if pages > 0, pageSize > 0 { limits.append(Double(pages) * Double(pageSize)) }
        var space = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &space) == 0, space.rlim_cur != rlim_t.max {
            limits.append(Double(space.rlim_cur))
        }
        if let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            limits += cgroupLimits(membership: membership) { try? String(contentsOfFile: $0, encoding: .utf8) }
        }
        return limits.min()
    }

    /// The memory limits (bytes) on the path from this process's memory cgroup up to the root,
    /// given /proc/self/cgroup's text and a file reader: cgroup v2's memory.max, or v1's
    /// memory.limit_in_bytes. "max" and unreadable files impose nothing.
    public static func cgroupLimits(membership: String, read: (String) -> String?) -> [Double] {
        // Lines are "id:controllers:path"; v2's is "0::path", v1's memory line names "memory".
        let groups = membership.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }
            .filter { $0.count == 3 }
        let base: String, file: String
        let line: [Substring]
        if let v2 = groups.first(where: { $0[0] == "0" && $0[1].isEmpty }) {
            (base, file, line) = ("/sys/fs/cgroup", "memory.max", v2)
        } else if let v1 = groups.first(where: { $0[1].split(separator: ",").contains("memory") }) {
            (base, file, line) = ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", v1)
        } else {
            return []
        }
        var limits: [Double] = []
        var group = line[2].isEmpty ? "/" : String(line[2])
        while true {
            if let text = read(base + (group == "/" ? "" : group) + "/" + file)?.trimmingCharacters(in: .whitespacesAndNewlines),
               let bytes = Double(text) {
                limits.append(bytes)
            }
            guard group != "/", let slash = group.lastIndex(of: "/") else { break }
            group = slash == group.startIndex ? "/" : String(group[..<slash])
        }
        return limits
    }
}
