/// Checks of values that Slurm parses itself, so that a value is what it looks like.
///
/// Names are kept to the characters Slurm's own tools accept in practice: letters, digits,
/// `_`, `-`, `.`. Anything else (spaces, `;`, `$`, quotes, `,` in an account) is refused with
/// the value named, rather than passed on for Slurm to interpret.
public enum SlurmSyntax {
    /// A partition (`debug`) or a list Slurm tries in order (`short,long`).
    public static func isPartition(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { isName(String($0)) }
    }

    /// An account, QOS or job name.
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 200 && text.unicodeScalars.allSatisfy(isNameCharacter)
    }

    /// A time limit as `sbatch --time` takes it: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
    /// `D-HH:MM:SS`, or `UNLIMITED`/`INFINITE`. Minutes may exceed 59 in the first field.
    public static func isTime(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { return false }
        let clock = dayParts.count == 2 ? dayParts[1] : dayParts[0]
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if dayParts.count == 2 {
            guard isNumber(String(dayParts[0])), (1...3).contains(fields.count) else { return false }
        } else {
            guard (1...3).contains(fields.count) else { return false }
        }
        guard fields.allSatisfy(isNumber) else { return false }
        // Every field after the first is a minutes or seconds field below 60 (two digits at most).
        return fields.dropFirst().allSatisfy { $0.count <= 2 && Int($0)! < 60 }
    }

    static func isNumber(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 9 && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "."
    }

    /// `text` turned into a job name: disallowed characters become `_`, at most 40 characters.
    static func jobName(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { isNameCharacter($0) ? $0 : "_" }))
        return cleaned.isEmpty ? "sweep" : String(cleaned.prefix(40))
    }
}
