public import Foundation

/// A running `palisade serve` child process, for end-to-end tests that need the real binary
/// (signals, flags, environment, TLS). It binds port 0 unless told otherwise and reports the port
/// it got and the admin token it printed on first start.
public final class ServeProcess: @unchecked Sendable {
    // Safe: `output` is guarded by `lock`; the other stored properties are set once in init.
    private let process = Process()
    private let lock = NSLock()
    private var output = ""
    private var errors = ""
    /// The base URL, such as `http://127.0.0.1:41234`.
    public private(set) var baseURL = ""
    /// The admin token printed on first start, if this start printed one.
    public private(set) var adminToken: String?

    /// Starts `palisade <command> <arguments> [--data-dir <dataDir>]` (`serve` by default; or
    /// another `executable`, such as a test server script) and waits until it prints that it listens.
    ///
    /// - Throws: when it exits or does not listen within `timeout` seconds (with its output).
    public init(
        dataDir: URL?,
        executable: String = PalisadeCLI.binary,
        command: [String] = ["serve"],
        arguments: [String] = ["--listen", "127.0.0.1:0"],
        environment: [String: String] = [:],
        timeout: Double = 60
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = command + arguments + (dataDir.map { ["--data-dir", $0.path] } ?? [])
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            self?.lock.withLock { self?.output += String(decoding: data, as: UTF8.self) }
        }
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            self?.lock.withLock { self?.errors += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = lock.withLock { output }
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: " ") {
                baseURL = String(text[range.upperBound..<end])
                adminToken = text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("pal_") }.map(String.init)
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { process.terminate() }
        throw ServeProcessError(message: "\(executable) \(command.joined(separator: " ")) did not start listening:\n\(stdoutText)\n\(stderrText)")
    }

    /// Starts a server like ``init(dataDir:executable:command:arguments:environment:timeout:)``,
    /// waiting on a thread of its own (for async tests).
    public static func launch(
        dataDir: URL?,
        arguments: [String] = ["--listen", "127.0.0.1:0"],
        environment: [String: String] = [:],
        timeout: Double = 60
    ) async throws -> ServeProcess {
        try await onOwnThread { try ServeProcess(dataDir: dataDir, arguments: arguments, environment: environment, timeout: timeout) }
    }

    /// ``waitForExit(timeout:)`` on a thread of its own (for async tests).
    public func exited(timeout: Double = 30) async -> Int32? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.waitForExit(timeout: timeout)) }.start()
        }
    }

    /// Everything printed on standard output so far.
    public var stdoutText: String { lock.withLock { output } }
    /// Everything printed on standard error so far.
    public var stderrText: String { lock.withLock { errors } }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal.
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit (at most `timeout` seconds) and returns its exit status, or
    /// `nil` if it is still running.
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Stops the process with SIGKILL if it is still running (test cleanup).
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = waitForExit(timeout: 10)
    }

    deinit { kill9() }
}

/// `palisade serve` failed to start.
public struct ServeProcessError: Error, CustomStringConvertible {
    /// What happened, with the process's output.
    public let message: String
    /// The message.
    public var description: String { message }

    /// An error with this message.
    public init(message: String) { self.message = message }
}

extension ServeProcess {
    /// Runs `Tests/PalisadeServerTests/Scripts/tlog_audit.py`, a client that shares no code with
    /// Palisade, against this server as the default tenant's admin: it ingests 600 events, checks
    /// inclusion and consistency proofs with ../shared/tools/verify_checkpoint.py and rebuilds the
    /// root from the served tiles.
    public func independentAudit(token: String, vkey: String) throws -> ExternalProcess.Result {
        let work = try TemporaryDirectory.make("palisade-audit")
        defer { TemporaryDirectory.remove(work) }
        let script = SharedFiles.projectRoot.appendingPathComponent("Tests/PalisadeServerTests/Scripts/tlog_audit.py").path
        let (executable, arguments) = ExternalProcess.pythonArguments([
            script, baseURL, token, "default", vkey, SharedFiles.url("tools/verify_checkpoint.py").path, work.path,
        ])
        return try ExternalProcess.run(executable, arguments)
    }
}

/// Runs blocking work (a process, a wait) on a thread of its own and awaits its result, so that an
/// async test does not hold one of the cooperative threads the other tests and servers run on.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
