import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import PalisadeExport
import PalisadeLedger

/// `palisade witness`: a C2SP tlog-witness that cosigns other Palisade logs' checkpoints.
struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a witness that cosigns another Palisade's checkpoints only while its log grows consistently.",
        discussion: """
            Run it on a host the log's database administrators do not control. It keeps the latest \
            checkpoint it cosigned per log and refuses (409/422) one that is smaller or not consistent \
            with it, so a log rolled back or rewritten cannot get a cosignature again.
            """,
        subcommands: [WitnessServe.self, WitnessKey.self]
    )

    /// The witness key in `state/witness.key`, created (0600) on first use.
    static func cosigner(state: String, name: String) throws -> Cosigner {
        let directory = URL(fileURLWithPath: state)
        let file = directory.appendingPathComponent("witness.key")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if FileManager.default.fileExists(atPath: file.path) {
                return try Cosigner(parsing: String(decoding: try Data(contentsOf: file), as: UTF8.self))
            }
            let cosigner = try Cosigner(name: name, privateKey: Curve25519.Signing.PrivateKey())
            guard
                FileManager.default.createFile(
                    atPath: file.path,
                    contents: Data((cosigner.privateKeyString + "\n").utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            else { throw CLIError("cannot create \(file.path); check the state directory is writable") }
            return cosigner
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot load the witness key \(file.path): \(error)")
        }
    }
}

/// `palisade witness key`.
struct WitnessKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Print the witness's verifier key (created on first use).")

    @Option(help: ArgumentHelp("The witness state directory.", valueName: "dir")) var state: String
    @Option(help: "The witness name, used when the key is created.") var name = "witness.palisade.local"

    func run() async throws {
        try await reportingErrors { print(try WitnessCommand.cosigner(state: state, name: name).verifier.vkey) }
    }
}

/// `palisade witness serve`.
struct WitnessServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve POST /add-checkpoint (C2SP tlog-witness) for the logs whose keys are given."
    )

    @Option(help: ArgumentHelp("The witness state directory.", valueName: "dir")) var state: String
    @Option(help: ArgumentHelp("host:port to listen on.", valueName: "address")) var listen = "127.0.0.1:7380"
    @Option(
        name: .customLong("log-key"),
        help: ArgumentHelp("A log's verifier key (repeatable); it vouches for origins <name> and <name>/…", valueName: "vkey")
    )
    var logKeys: [String]
    @Option(help: "The witness name, used when the key is created.") var name = "witness.palisade.local"

    func run() async throws {
        try await reportingErrors {
            guard let address = HostAndPort(listen) else { throw CLIError("--listen must be host:port, such as 127.0.0.1:7380") }
            let (host, port) = (address.host, address.port)
            var keys = [NoteVerifier]()
            for text in logKeys {
                do {
                    keys.append(try NoteVerifier(parsing: text))
                } catch {
                    throw CLIError("--log-key \(text.prefix(60)): \(error)")
                }
            }
            guard !keys.isEmpty else { throw CLIError("give at least one --log-key: the witness cosigns only logs it knows") }
            let cosigner = try WitnessCommand.cosigner(state: state, name: name)
            let witness: WitnessState
            do {
                witness = try WitnessState(
                    directory: URL(fileURLWithPath: state),
                    cosigner: cosigner,
                    rules: WitnessRules(logKeys: keys),
                    now: { UInt64(max(0, Date().timeIntervalSince1970)) }
                )
            } catch let error as ArchiveError {
                throw CLIError(error.description)
            }
            let logger = Logger(label: "palisade.witness")
            let router = Router()
            router.post("add-checkpoint") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 64 * 1024)
                switch await witness.add(Array(body.readableBytesView)) {
                case .success(let line):
                    return Response(
                        status: .ok,
                        headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: line))
                    )
                case .failure(let rejection):
                    logger.warning("palisade.witness.refused", metadata: ["status": "\(rejection.status)", "reason": "\(rejection.message)"])
                    if rejection.status == 409, let known = rejection.knownSize {
                        return Response(
                            status: .conflict,
                            headers: [.contentType: "text/x.tlog.size"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(known)\n"))
                        )
                    }
                    return Response(
                        status: .init(code: rejection.status),
                        headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: rejection.message + "\n"))
                    )
                }
            }
            let application = Application(
                router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: nil),
                onServerRunning: { channel in
                    printNow("palisade witness: listening on http://\(host):\(channel.localAddress?.port ?? port) as \(cosigner.verifier.vkey)")
                },
                logger: logger
            )
            try await application.runService()
        }
    }
}
