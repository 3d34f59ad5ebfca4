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
        if let space = addressSpaceLimit { limits.append(space) }
        if let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            limits += cgroupLimits(membership: membership) { try? String(contentsOfFile: $0, encoding: .utf8) }
        }
        return limits.min()
    }

    /// The memory this process's node lets it use, shared by its ranks: physical memory lowered
    /// by its cgroup's limit (not by `ulimit -v`, which is per process); nil when unreadable.
    public static var node: Double? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        var limits: [Double] = []
        if pages > 0, pageSize > 0 { limits.append(Double(pages) * Double(pageSize)) }
        if let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            limits += cgroupLimits(membership: membership) { try? String(contentsOfFile: $0, encoding: .utf8) }
        }
        return limits.min()
    }

    /// The ranks of this job on this node: what the MPI launcher or Slurm says, else `ranks`
    /// (a one-node run), at most the cores + 1.
    public static func ranksOnThisNode(ranks: Int) -> Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"] {
            if let value = environment[name].flatMap({ Int($0) }), value >= 1 { return value }
        }
        return max(1, min(ranks, ProcessInfo.processInfo.activeProcessorCount + 1))
    }

    /// The address-space limit (`ulimit -v`) in bytes, nil when there is none.
    public static var addressSpaceLimit: Double? {
        var space = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &space) == 0, space.rlim_cur != rlim_t.max else { return nil }
        return Double(space.rlim_cur)
    }

    /// The address space this process has mapped now (VmSize), bytes.
    public static var mappedBytes: Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The memory limits (bytes) on the path from this process's memory cgroups up to the
    /// root, given /proc/self/cgroup's text and a file reader: cgroup v2's memory.max and v1's
    /// memory.limit_in_bytes, both when a hybrid host lists both (a `0::/` line beside a v1
    /// memory line, as Slurm's `--mem` sets it there). "max" and unreadable files impose nothing.
    public static func cgroupLimits(membership: String, read: (String) -> String?) -> [Double] {
        // Lines are "id:controllers:path"; v2's is "0::path", v1's memory line names "memory".
        let groups = membership.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }
            .filter { $0.count == 3 }
        var limits: [Double] = []
        if let v2 = groups.first(where: { $0[0] == "0" && $0[1].isEmpty }) {
            limits += walk(String(v2[2]), base: "/sys/fs/cgroup", file: "memory.max", read: read)
        }
        if let v1 = groups.first(where: { $0[1].split(separator: ",").contains("memory") }) {
            limits += walk(String(v1[2]), base: "/sys/fs/cgroup/memory", file: "memory.limit_in_bytes", read: read)
        }
        return limits
    }

    private static func walk(_ path: String, base: String, file: String, read: (String) -> String?) -> [Double] {
        var limits: [Double] = []
        var group = path.isEmpty ? "/" : path
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
