/// The version written into every results file.
public enum AlphasweepVersion {
    public static let current = "0.1.0"
}
