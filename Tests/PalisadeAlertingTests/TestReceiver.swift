import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// A real HTTP server on 127.0.0.1 that records what alert delivery sends it and answers as a test
/// scripts it: a status, or no answer at all (a receiver that hangs).
final class TestReceiver: Sendable {
    /// A request as it arrived.
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]

        var json: Any? {
            do {
                return try JSONSerialization.jsonObject(with: Data(body))
            } catch {
                Issue.record("the receiver got a body that is not JSON: \(error)")
                return nil
            }
        }
    }

    /// How to answer.
    enum Reply: Sendable {
        case status(Int)
        case json(Int, String)
        case hang
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    /// Requests received, shared with the handlers.
    final class Log: Sendable {
        let requests = Mutex<[Request]>([])
    }

    private let received = Log()
    let port: Int

    /// Starts a receiver answering the n-th request (0-based) with `reply(n, request)`.
    init(reply: @escaping @Sendable (Int, Request) -> Reply = { _, _ in .status(200) }) async throws {
        let received = self.received
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(received: received, reply: reply))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }

    var requests: [Request] { received.requests.withLock { $0 } }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let received: Log
        let reply: @Sendable (Int, Request) -> Reply
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(received: Log, reply: @escaping @Sendable (Int, Request) -> Reply) {
            self.received = received
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                var headers = [String: String]()
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let request = Request(method: "\(head.method)", path: head.uri, headers: headers, body: body)
                let number = received.requests.withLock { list in
                    list.append(request)
                    return list.count - 1
                }
                switch reply(number, request) {
                case .hang:
                    return
                case .status(let code):
                    respond(context, head, code, body: "ok", type: "text/plain")
                case .json(let code, let body):
                    respond(context, head, code, body: body, type: "application/json")
                }
            }
        }

        private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ code: Int, body: String, type: String) {
            // 204 and 304 have no body (a stray one would be read as the start of the next response).
            let hasBody = code != 204 && code != 304
            var headers = HTTPHeaders()
            if hasBody {
                headers.add(name: "Content-Length", value: "\(body.utf8.count)")
                headers.add(name: "Content-Type", value: type)
            }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: code), headers: headers))),
                promise: nil
            )
            if hasBody { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
