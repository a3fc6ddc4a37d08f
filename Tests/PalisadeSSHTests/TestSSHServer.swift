import Crypto
import Foundation
import NIOCore
import NIOPosix
import PalisadeSSH
import Synchronization
import _CryptoExtras

/// A TCP listener on 127.0.0.1 running Palisade's ``ServerConnection`` for each client and keeping
/// every event, for tests with real SSH clients. (The honeypot's own listener adds limits, delays
/// and the ledger; this one only moves bytes.)
final class TestSSHServer: Sendable {
    final class Log: Sendable {
        let events = Mutex<[SSHEvent]>([])
        let errors = Mutex<[SSHWireError]>([])
    }

    let log = Log()
    let hostKey: HostKey
    let hostKeys: [HostKey]
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    let port: Int

    /// An Ed25519 and an ECDSA key (RSA, slow to make, is made once for the suite).
    static let rsa = HostKey(.rsa(try! _RSA.Signing.PrivateKey(keySize: .bits3072)))

    init(
        accepts: @escaping @Sendable (AuthenticationAttempt) -> Bool = { _ in false },
        configure: (inout ServerConnection.Configuration) -> Void = { _ in }
    ) async throws {
        let hostKey = HostKey(ed25519: Curve25519.Signing.PrivateKey())
        self.hostKey = hostKey
        let hostKeys = [hostKey, HostKey(.ecdsaP256(P256.Signing.PrivateKey())), Self.rsa]
        self.hostKeys = hostKeys
        let log = self.log
        var configuration = ServerConnection.Configuration(
            profile: ServerProfile.debian12.offering(only: ServerConnection.implemented),
            hostKeys: hostKeys,
            accepts: accepts
        )
        configure(&configuration)
        let settings = configuration
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(configuration: settings, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var events: [SSHEvent] { log.events.withLock { $0 } }
    var errors: [SSHWireError] { log.errors.withLock { $0 } }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let connection: ServerConnection
        let log: Log

        init(configuration: ServerConnection.Configuration, log: Log) {
            connection = ServerConnection(configuration: configuration) { count in
                var generator = SystemRandomNumberGenerator()
                return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            self.log = log
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: connection.greeting)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            var outcome = connection.receive(bytes)
            log.events.withLock { $0 += outcome.events }
            // A stand-in for the honeypot's shell: commands are answered "ran: <command>", a shell
            // echoes each line and ends at "exit".
            for event in outcome.events {
                guard case .channel(let channelEvent) = event else { continue }
                switch channelEvent {
                case .exec(let channel, let command):
                    outcome.output += connection.send(data: Array("ran: \(command)\n".utf8), channel: channel).output
                    outcome.output += connection.exit(channel: channel, status: 0).output
                case .shell(let channel):
                    outcome.output += connection.send(data: Array("$ ".utf8), channel: channel).output
                case .data(let channel, let data):
                    let text = String(decoding: data, as: UTF8.self)
                    outcome.output += connection.send(data: Array("echo: \(text)".utf8), channel: channel).output
                    if text.contains("exit") { outcome.output += connection.exit(channel: channel, status: 0).output }
                default: break
                }
            }
            let written = outcome.output.isEmpty ? nil : context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: outcome.output)))
            if let closing = outcome.closing {
                log.errors.withLock { $0.append(closing) }
                let channel = context.channel
                if let written { written.whenComplete { _ in channel.close(promise: nil) } } else { channel.close(promise: nil) }
            }
        }
    }
}
