public import Foundation

/// Runs the built `palisade` binary against a data directory, for end-to-end tests.
public struct PalisadeCLI: Sendable {
    /// The data directory every command gets.
    public let dataDir: URL
    /// The directory holding the data directory and the files tests write (``file(_:_:)``).
    public let root: URL
    /// Extra environment variables every command gets (such as `PALISADE_DATABASE`).
    public var environment: [String: String] = [:]

    /// A CLI over a fresh data directory (`<fresh root>/data`).
    public init() throws {
        self.root = try TemporaryDirectory.make("palisade-cli")
        self.dataDir = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
    }

    /// A CLI over an existing data directory (which is also its ``root``).
    public init(dataDir: URL) {
        self.dataDir = dataDir
        self.root = dataDir
    }

    /// Removes the root made by ``init()`` with everything in it (test cleanup).
    public func removeAll() {
        TemporaryDirectory.remove(root)
    }

    /// The `palisade` executable built next to the test bundle.
    public static var binary: String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("palisade")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate.path
            }
        }
        return SharedFiles.projectRoot.appendingPathComponent(".build/debug/palisade").path
    }

    /// Runs `palisade <arguments> --data-dir <dataDir>`.
    @discardableResult
    public func run(_ arguments: [String], input: String = "") throws -> ExternalProcess.Result {
        try ExternalProcess.run(Self.binary, arguments + ["--data-dir", dataDir.path], input: Data(input.utf8), environment: environment)
    }

    /// ``run(_:input:)`` on a thread of its own, for async tests: a test waiting for the binary
    /// must not hold one of the few threads every other async test (and in-process server) runs on.
    @discardableResult
    public func runDetached(_ arguments: [String], input: String = "") async throws -> ExternalProcess.Result {
        try await ExternalProcess.runDetached(
            Self.binary,
            arguments + ["--data-dir", dataDir.path],
            input: Data(input.utf8),
            environment: environment
        )
    }

    /// The verifier key.
    public func vkey() throws -> String {
        try run(["key", "show"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// ``vkey()`` on a thread of its own (for async tests).
    public func vkeyDetached() async throws -> String {
        try await runDetached(["key", "show"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The database file.
    public var database: String { dataDir.appendingPathComponent("palisade.db").path }

    /// Runs `sqlite3` on the database (as someone editing the file behind Palisade's back).
    @discardableResult
    public func sqlite(_ sql: String) throws -> ExternalProcess.Result {
        try ExternalProcess.run("/usr/bin/env", ["sqlite3", database], input: Data(sql.utf8))
    }

    /// Runs `../shared/tools/verify_checkpoint.py` with the given arguments.
    public static func independentVerifier(_ arguments: [String]) throws -> ExternalProcess.Result {
        let (executable, args) = ExternalProcess.pythonArguments([SharedFiles.url("tools/verify_checkpoint.py").path] + arguments)
        return try ExternalProcess.run(executable, args)
    }

    /// Writes text to a file in the data directory's parent and returns its path.
    public func file(_ name: String, _ contents: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
