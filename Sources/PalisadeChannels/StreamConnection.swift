import NIOCore
import NIOPosix
import NIOSSL
import PalisadeAlerting
import PalisadeCore

/// A TCP connection for line protocols (SMTP, syslog over TCP and TLS): TLS from the start or
/// started in the middle (STARTTLS), reads of CRLF-terminated lines, writes, and a deadline for the
/// whole conversation after which the connection is closed (so no read waits forever).
///
/// Not `Sendable`: a conversation is one task's, line after line.
final class StreamConnection {
    /// How TLS is used.
    enum Security: Sendable {
        /// Plain TCP.
        case none
        /// TLS from the first byte.
        case tls
    }

    private let channel: any Channel
    private var iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
    private var buffer: [UInt8] = []
    private let deadline: Scheduled<Void>

    private init(channel: any Channel, stream: AsyncThrowingStream<ByteBuffer, any Error>, deadline: Scheduled<Void>) {
        self.channel = channel
        self.iterator = stream.makeAsyncIterator()
        self.deadline = deadline
    }

    /// Connects to `address` (already checked against the outbound policy), verifying TLS for `host`.
    static func connect(
        host: String,
        address: IPAddress,
        port: Int,
        security: Security,
        tls: TLSConfiguration,
        connectTimeoutSeconds: Int64,
        deadlineSeconds: Int64
    ) async throws -> StreamConnection {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let context = try NIOSSLContext(configuration: tls)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(connectTimeoutSeconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if security == .tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: IPAddress(host) == nil ? host : nil)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(Forwarder(continuation))
                }
            }
        let channel = try await bootstrap.connect(host: address.text, port: port).get()
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(deadlineSeconds)) { channel.close(promise: nil) }
        return StreamConnection(channel: channel, stream: stream, deadline: deadline)
    }

    /// Resolves `host`, checks its addresses against `policy` and connects to the checked one with
    /// the channels' TLS settings — what SMTP and syslog over TCP share.
    static func open(
        host: String,
        port: Int,
        security: Security,
        policy: OutboundPolicy,
        resolver: HostResolver,
        extraTrustRootsFile: String?,
        connectTimeoutSeconds: Int64,
        deadlineSeconds: Int64
    ) async -> Result<(StreamConnection, TLSConfiguration), DeliveryFailure> {
        let address: IPAddress
        switch await resolver.checkedAddress(of: host, policy: policy) {
        case .success(let checked): address = checked
        case .failure(let failure): return .failure(failure)
        }
        let tls = TLSConfiguration.alertingClient(extraTrustRootsFile: extraTrustRootsFile)
        do {
            let connection = try await connect(
                host: host,
                address: address,
                port: port,
                security: security,
                tls: tls,
                connectTimeoutSeconds: connectTimeoutSeconds,
                deadlineSeconds: deadlineSeconds
            )
            return .success((connection, tls))
        } catch {
            return .failure(.network("cannot connect to \(host):\(port): \(error)"))
        }
    }

    /// Starts TLS on the open connection (after the server agreed to STARTTLS).
    func startTLS(host: String, tls: TLSConfiguration) async throws {
        let context = try NIOSSLContext(configuration: tls)
        let serverHostname = IPAddress(host) == nil ? host : nil
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                position: .first
            )
        }.get()
    }

    /// Writes bytes.
    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// The next line, without its CRLF.
    ///
    /// - Throws: ``ChannelError`` when the connection closes (or its deadline passes) first.
    func readLine() async throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < 65_536 else { throw TransportError("the server sent a line longer than 64 KiB") }
            guard var chunk = try await iterator.next() else {
                throw TransportError("the connection closed (or took longer than its deadline) before the server answered")
            }
            buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
        }
    }

    /// Closes the connection.
    func close() {
        deadline.cancel()
        // No promise: a connection that already closed (or failed) has nothing more to release.
        channel.close(promise: nil)
    }

    /// Passes received bytes to the reader.
    private final class Forwarder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

        init(_ continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            continuation.finish(throwing: error)
            context.close(promise: nil)
        }
    }
}
