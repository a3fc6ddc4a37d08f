import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PalisadeCore

/// Where a command that acts on a running server finds it: `--server` (or PALISADE_SERVER) and an
/// API token (`--token`, better PALISADE_TOKEN, which stays out of the process list).
struct ServerOptions: ParsableArguments {
    @Option(help: "The server's base URL (env PALISADE_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(help: "An API token (better: env PALISADE_TOKEN).") var token: String?

    /// Calls the server; a 4xx/5xx answer becomes a ``CLIError`` with the server's message.
    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let environment = ProcessInfo.processInfo.environment
        let base = server ?? environment["PALISADE_SERVER"] ?? "http://127.0.0.1:8080"
        guard let token = token ?? environment["PALISADE_TOKEN"], !token.isEmpty else {
            throw CLIError("an API token is needed: --token or PALISADE_TOKEN", exitCode: Exit.usage)
        }
        var request = HTTPClientRequest(url: base.trimmingSuffix("/") + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(body)))
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result: Result<(HTTPResponseStatus, [UInt8]), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            result = .success((response.status, Array(bytes.readableBytesView)))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        let (status, bytes) = try result.mapError { CLIError("cannot reach \(base): \($0)") }.get()
        let answer: JSONValue
        do {
            answer = bytes.isEmpty ? .null : try JSONParser(limits: .init(maxBytes: 16 << 20, maxDepth: 32)).parse(bytes)
        } catch {
            throw CLIError("\(base) answered \(status.code) with something other than JSON")
        }
        guard (200..<300).contains(status.code) else {
            if case .object(let members) = answer, case .object(let error)? = members["error"], case .string(let message)? = error["message"] {
                throw CLIError("the server refused (\(status.code)): \(message)")
            }
            throw CLIError("the server answered \(status.code)")
        }
        return answer
    }
}

extension ServerOptions {
    /// Walks a paged list: `path` with its query (`?limit=…&…`), the answer's `items` array, and
    /// its `next` passed back as `cursor` until there is none.
    func eachPage(_ path: String, items: String, cursor: String, _ body: (JSONValue) -> Void) async throws {
        var next: String?
        repeat {
            let page = try await call(.GET, path + (next.map { "&\(cursor)=\($0)" } ?? ""))
            guard case .object(let members) = page, case .array(let list)? = members[items] else {
                throw CLIError("the server's answer has no \(items)")
            }
            list.forEach(body)
            next = page.text("next")
        } while next != nil
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

extension JSONValue {
    /// A member's text, for printing answers.
    func text(_ key: String) -> String? {
        guard case .object(let members) = self, case .string(let text)? = members[key] else { return nil }
        return text
    }
}

/// Standard input, all of it (read again after EINTR, which Foundation's reader would crash on).
func readStandardInput() throws -> [UInt8] {
    var bytes = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if count > 0 {
            bytes += buffer[0..<count]
        } else if count == 0 {
            return bytes
        } else if errno != EINTR {
            throw CLIError("cannot read standard input (errno \(errno))")
        }
    }
}
