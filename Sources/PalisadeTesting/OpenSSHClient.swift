import Foundation

/// Debian's `ssh` (or `scp`, `sftp`), with no user configuration, a throwaway known-hosts policy, and a password typed
/// by an askpass program (SSH_ASKPASS_REQUIRE=force), for tests of Palisade's SSH server and honeypot.
public enum OpenSSHClient {
    /// Runs ssh to 127.0.0.1:`port` with `arguments` (user@host, options, command), trying only
    /// `methods` (ssh's PreferredAuthentications; public keys only when it names publickey).
    public static func run(
        port: Int,
        password: String,
        _ arguments: [String],
        input: String = "",
        methods: String = "password",
        program: String = "ssh"
    ) async throws -> ExternalProcess.Result {
        let work = try TemporaryDirectory.make("palisade-ssh-askpass")
        let askpass = work.appendingPathComponent("askpass.sh")
        try "#!/bin/sh\necho '\(password)'\n".write(to: askpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: askpass.path)
        return try await ExternalProcess.runDetached(
            "/usr/bin/env",
            [
                program, "-F", "/dev/null", program == "ssh" ? "-p" : "-P", "\(port)", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null",
                "-o", "PreferredAuthentications=\(methods)", "-o", "PubkeyAuthentication=\(methods.contains("publickey") ? "yes" : "no")", "-o",
                "ConnectTimeout=20",
            ] + arguments,
            input: Data(input.utf8),
            environment: ["SSH_ASKPASS": askpass.path, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
        )
    }
}
