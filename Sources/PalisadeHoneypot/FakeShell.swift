import Foundation

/// A believable Debian shell that runs nothing: it answers the commands attackers type first
/// (`uname -a`, `id`, `w`, `cat /etc/passwd`, `ls`, `cd`, `pwd`, `echo`, `history`…) from a profile,
/// unknown ones as bash does, and records every line — a session is a transcript, never an
/// execution.
public struct FakeShell: Sendable {
    /// The user logged in.
    public let user: String
    /// The profile.
    public let profile: Profile
    /// The working directory.
    public private(set) var directory: String
    /// Lines entered so far.
    public private(set) var history: [String] = []

    /// A shell for `user`.
    public init(user: String, profile: Profile = .debian12) {
        self.user = user
        self.profile = profile
        directory = user == "root" ? "/root" : "/home/\(user)"
    }

    /// The prompt.
    public var prompt: String {
        let home = user == "root" ? "/root" : "/home/\(user)"
        let shown = directory == home ? "~" : directory
        return "\(user)@\(profile.hostname):\(shown)\(user == "root" ? "#" : "$") "
    }

    /// What running `line` prints, and whether the shell exits. Pipelines and `;` lists run each
    /// part; redirections are accepted and swallow the output.
    public mutating func run(_ line: String) -> (output: String, exits: Bool) {
        let trimmed = line.trimmingCharacters(in: [" ", "\t", "\r", "\n"])
        guard !trimmed.isEmpty else { return ("", false) }
        history.append(trimmed)
        var output = ""
        for part in trimmed.split(separator: ";").map({ String($0).trimmingCharacters(in: [" ", "\t"]) }) where !part.isEmpty {
            // In a pipeline only the last command's output reaches the terminal.
            let stages = part.split(separator: "|").map { String($0).trimmingCharacters(in: [" ", "\t"]) }
            var last = ""
            for stage in stages {
                var command = stage
                var redirected = false
                if let arrow = command.firstIndex(of: ">") {
                    command = String(command[..<arrow]).trimmingCharacters(in: [" "])
                    redirected = true
                }
                let (text, exits) = filter(command, input: last) ?? single(command)
                if exits { return (output, true) }
                last = redirected ? "" : text
            }
            output += last
        }
        return (output, false)
    }

    /// The text filters a pipeline ends in: `grep [-v|-i] pattern`, `head [-n N]`, `tail [-n N]`,
    /// `wc -l`, `sort`; `nil` for anything else.
    private func filter(_ command: String, input: String) -> (String, Bool)? {
        let words = command.split(separator: " ").map(String.init)
        guard let name = words.first, ["grep", "head", "tail", "wc", "sort"].contains(name) else { return nil }
        // A file operand (the last word not an option or grep's pattern) is read instead of the pipe.
        let operands = words.dropFirst().filter { !$0.hasPrefix("-") && Int($0) == nil }
        var input = input
        if let file = operands.dropFirst(name == "grep" ? 1 : 0).last {
            guard let text = contents(of: file) else { return ("\(name): \(file): No such file or directory\n", false) }
            input = text
        }
        let lines = input.split(separator: "\n", omittingEmptySubsequences: false).dropLast(input.hasSuffix("\n") ? 1 : 0).map(String.init)
        func joined(_ kept: [String]) -> String { kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n" }
        func count() -> Int { words.firstIndex(of: "-n").flatMap { words.indices.contains($0 + 1) ? Int(words[$0 + 1]) : nil } ?? 10 }
        switch name {
        case "grep":
            let flags = words.dropFirst().filter { $0.hasPrefix("-") }
            guard let pattern = words.dropFirst().first(where: { !$0.hasPrefix("-") })?.replacingOccurrences(of: "\"", with: "") else {
                return ("Usage: grep [OPTION]... PATTERNS [FILE]...\n", false)
            }
            let folding = flags.contains("-i")
            let kept = lines.filter { line in
                let found = folding ? line.lowercased().contains(pattern.lowercased()) : line.contains(pattern)
                return flags.contains("-v") ? !found : found
            }
            return (joined(kept), false)
        case "head": return (joined(Array(lines.prefix(count()))), false)
        case "tail": return (joined(Array(lines.suffix(count()))), false)
        case "wc": return ("\(lines.count)\n", false)
        case "sort": return (joined(lines.sorted()), false)
        default: return nil
        }
    }

    /// A file of the profile, by absolute path or relative to the working directory.
    func contents(of path: String) -> String? { profile.file(at: resolve(path)) }

    /// `path` made absolute against the working directory (`.` and `..` folded).
    func resolve(_ path: String) -> String {
        FakeShell.Profile.normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    private mutating func single(_ command: String) -> (String, Bool) {
        let words = command.split(separator: " ").map(String.init)
        guard let name = words.first else { return ("", false) }
        let arguments = Array(words.dropFirst())
        switch name {
        case "exit", "logout": return ("", true)
        case "pwd": return (directory + "\n", false)
        case "whoami": return (user + "\n", false)
        case "id":
            return (
                user == "root" ? "uid=0(root) gid=0(root) groups=0(root)\n" : "uid=1000(\(user)) gid=1000(\(user)) groups=1000(\(user)),27(sudo)\n",
                false
            )
        case "hostname": return (profile.hostname + "\n", false)
        case "uname":
            if arguments.contains("-a") { return (profile.kernel + "\n", false) }
            if arguments.contains("-r") { return (profile.kernel.split(separator: " ").dropFirst(2).first.map { "\($0)\n" } ?? "\n", false) }
            if arguments.contains("-m") { return ("x86_64\n", false) }
            return ("Linux\n", false)
        case "echo": return (arguments.joined(separator: " ").replacingOccurrences(of: "\"", with: "") + "\n", false)
        case "cd":
            let target = arguments.first ?? (user == "root" ? "/root" : "/home/\(user)")
            guard profile.isDirectory(resolve(target)) else { return ("-bash: cd: \(target): No such file or directory\n", false) }
            directory = resolve(target)
            return ("", false)
        case "ls":
            let targets = arguments.filter { !$0.hasPrefix("-") }
            guard let target = targets.first else { return (listing(directory), false) }
            if profile.file(at: resolve(target)) != nil { return (target + "\n", false) }
            guard profile.isDirectory(resolve(target)) else {
                return ("ls: cannot access '\(target)': No such file or directory\n", false)
            }
            return (listing(resolve(target)), false)
        case "cat":
            return (
                arguments.filter { !$0.hasPrefix("-") }.map { file in
                    if let text = contents(of: file) { return text }
                    if profile.isDirectory(resolve(file)) { return "cat: \(file): Is a directory\n" }
                    return "cat: \(file): No such file or directory\n"
                }.joined(),
                false
            )
        case "w":
            return (
                " 10:42:01 up 41 days,  3:12,  1 user,  load average: 0.08, 0.03, 0.01\nUSER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n\(user)     pts/0    -                10:41    0.00s  0.01s  0.00s w\n",
                false
            )
        case "ps":
            return ("    PID TTY          TIME CMD\n   4211 pts/0    00:00:00 bash\n   4230 pts/0    00:00:00 ps\n", false)
        case "history": return (history.enumerated().map { "  \($0.offset + 1)  \($0.element)\n" }.joined(), false)
        case "wget", "curl", "tftp":
            // Download attempts are recorded by the caller (the URL is in the line), never fetched.
            return ("\(name): unable to resolve host address '\(arguments.last ?? "")'\n", false)
        default:
            return ("-bash: \(name): command not found\n", false)
        }
    }

    /// `ls` of a directory: its entries, two spaces apart, as ls prints them to a pipe-less terminal.
    private func listing(_ path: String) -> String {
        let entries = profile.entries(of: path)
        return entries.isEmpty ? "" : entries.joined(separator: "  ") + "\n"
    }
}
