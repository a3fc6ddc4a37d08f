import Foundation
import Logging
import PalisadeHoneypot
import PalisadeSSH

extension ServeConfigurationBuilder.HoneypotSettings {
    /// The sensor's configuration: these settings with its host keys and secret (the data
    /// directory's files, or the vault's keys under `serve`) and the evidence store
    /// (DATA_DIR/honeypot).
    func serverConfiguration(
        _ directory: DataDirectory,
        hostKeys: [HostKey],
        secret: SensorSecret,
        logger: Logger
    ) throws -> HoneypotServer.Configuration {
        let delay = Double(failureDelayMilliseconds) / 1_000
        return HoneypotServer.Configuration(
            host: host,
            port: port,
            sensor: sensor,
            hostKeys: hostKeys,
            policy: policy,
            keyboardInteractive: keyboardInteractive,
            passwords: passwords,
            secret: secret,
            failureDelay: (delay * 0.9)...(delay * 1.15),
            maxConnectionsPerAddress: maxConnectionsPerAddress,
            maxConnections: maxConnections,
            loginGraceSeconds: loginGraceSeconds,
            maxSessionSeconds: maxSessionSeconds,
            idleSeconds: idleSeconds,
            maxBytesIn: maxBytesIn,
            rekeySeconds: rekeySeconds,
            gather: .milliseconds(gatherMilliseconds),
            moduli: moduli,
            rateLimits: rateLimits,
            system: system,
            evidence: EvidenceStore(
                directory: URL(fileURLWithPath: directory.path).appendingPathComponent("honeypot"),
                maxFileBytes: maxUploadBytes,
                logger: logger
            )
        )
    }
}

extension HoneypotServer {
    /// Listens, prints where, and runs until the task is cancelled; then stops (ending every
    /// session and recording what is left). `started` is called with the port once it listens.
    func runUntilCancelled(logger: Logger, started: @Sendable (Int) -> Void = { _ in }) async {
        do {
            let port = try await start()
            printNow("palisade: SSH honeypot listening on \(configuration.host):\(port) (sensor \(configuration.sensor))")
            started(port)
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3_600)) }
        } catch is CancellationError {
            // Stopping: fall through to close the listener.
        } catch {
            logger.error("palisade.honeypot.failed", metadata: ["error": "\(error)"])
        }
        do {
            try await stop()
        } catch {
            logger.error("palisade.honeypot.stop_failed", metadata: ["error": "\(error)"])
        }
    }
}
