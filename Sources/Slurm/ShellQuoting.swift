/// Shell quoting for humans: how `submit-commands.txt` and `--dry-run` show a command so that
/// pasting it into a POSIX shell runs exactly that argument array.
public enum ShellQuoting {
    /// One argument: as is when it holds only characters no shell treats specially, otherwise in
    /// single quotes (an embedded `'` becomes `'\''`).
    public static func quote(_ argument: String) -> String {
        if !argument.isEmpty && argument.unicodeScalars.allSatisfy(isPlain) { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A whole command line.
    public static func line(_ argv: [String]) -> String { argv.map(quote).joined(separator: " ") }

    static func isPlain(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            || "_-./=:,@+%".unicodeScalars.contains(c)
    }
}
