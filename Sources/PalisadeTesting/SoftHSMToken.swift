public import Foundation

/// A fresh SoftHSM2 token in a directory of its own, for tests of the vault's PKCS#11 backend:
/// its configuration file goes in `SOFTHSM2_CONF` of whatever loads the module.
public struct SoftHSMToken: Sendable {
    /// Debian's SoftHSM2 module (package softhsm2, which scripts/test installs).
    public static let module = "/usr/lib/softhsm/libsofthsm2.so"

    /// The directory holding the configuration and the token.
    public let root: URL
    /// The configuration file (for `SOFTHSM2_CONF`).
    public let configuration: String
    /// The token's label.
    public let label: String
    /// The user PIN.
    public let pin: String

    /// Initialises a token with `softhsm2-util`.
    ///
    /// - Throws: when the directory cannot be made or softhsm2-util fails (with its output).
    public init(label: String = "palisade-test", pin: String = "4711-palisade") throws {
        root = try TemporaryDirectory.make("palisade-softhsm")
        let tokens = root.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        configuration = root.appendingPathComponent("softhsm2.conf").path
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n".write(
            toFile: configuration,
            atomically: true,
            encoding: .utf8
        )
        self.label = label
        self.pin = pin
        let made = try ExternalProcess.run(
            "/usr/bin/env",
            ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "8642-security"],
            environment: ["SOFTHSM2_CONF": configuration]
        )
        guard made.status == 0 else { throw ServeProcessError(message: "softhsm2-util --init-token failed: \(made.stdout)\(made.stderr)") }
    }

    /// Removes the token's directory.
    public func remove() { TemporaryDirectory.remove(root) }
}
