public import Foundation

/// Runs external programs from tests (the Python reference tools, the sqlite3 shell, the
/// palisade binary) and captures what they print.
public enum ExternalProcess {
    /// What a finished process printed and how it exited.
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    /// The Python interpreter the test script installed packages for.
    public static var python: String {
        ProcessInfo.processInfo.environment["PALISADE_TEST_PYTHON"] ?? "/usr/bin/env"
    }

    /// Arguments that run `python3` with `arguments` whether ``python`` is an interpreter or `env`.
    public static func pythonArguments(_ arguments: [String]) -> (String, [String]) {
        python.hasSuffix("/env") ? (python, ["python3"] + arguments) : (python, arguments)
    }

    /// Runs a program to completion.
    ///
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - input: bytes for its standard input.
    ///   - environment: extra environment variables.
    ///   - directory: the working directory.
    /// - Throws: when the program cannot be started.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        input: Data = Data(),
        environment: [String: String] = [:],
        directory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes concurrently with writing, so a chatty child cannot block on a full pipe.
        // Each reader is a thread of its own: Dispatch's global queue has as many threads as cores,
        // and long-running children (servers, hydra) holding them starved every other test's reads.
        let outData = LockedData()
        let errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(stdout, outData), (stderr, errData)] {
            group.enter()
            Thread {
                sink.set(readToEnd(pipe.fileHandleForReading.fileDescriptor))
                group.leave()
            }.start()
        }
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self)
        )
    }

    /// ``run(_:_:input:environment:directory:)`` on a thread of its own, for async tests: waiting
    /// for a long-running program (hydra, an SSH session) must not hold one of the few threads every
    /// other async test runs on.
    public static func runDetached(
        _ executable: String,
        _ arguments: [String],
        input: Data = Data(),
        environment: [String: String] = [:],
        directory: URL? = nil
    ) async throws -> Result {
        try await onOwnThread { try run(executable, arguments, input: input, environment: environment, directory: directory) }
    }

    /// Runs a Python script given as text.
    public static func python(script: String, arguments: [String] = [], input: Data = Data()) throws -> Result {
        let (executable, args) = pythonArguments(["-c", script] + arguments)
        return try run(executable, args, input: input)
    }
}

/// Everything up to end of file from `descriptor`, read again after EINTR — which Foundation's
/// `readDataToEndOfFile()` turns into a crash of the whole test process (a `try!` inside it) when a
/// signal arrives during the read. A read error ends the data there, with a line saying so.
func readToEnd(_ descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
        } else if count == 0 {
            return data
        } else if errno != EINTR {
            data.append(contentsOf: Array("\n[ExternalProcess: read failed with errno \(errno)]\n".utf8))
            return data
        }
    }
}

/// A `Data` box shared between a reader thread and the test.
private final class LockedData: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
