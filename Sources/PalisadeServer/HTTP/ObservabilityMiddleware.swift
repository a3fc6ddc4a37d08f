import HTTPTypes
public import Hummingbird
import Logging

/// The outermost middleware: gives every response its `X-Request-Id` and security headers,
/// records request metrics by route template, and logs one line per request with its id.
public struct ObservabilityMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = PalisadeRequestContext

    let metrics: ServerMetrics
    let usesTLS: Bool

    /// Creates the middleware.
    public init(metrics: ServerMetrics, usesTLS: Bool) {
        self.metrics = metrics
        self.usesTLS = usesTLS
    }

    /// Runs the request and decorates its response.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        SecurityHeaders.apply(to: &response.headers, usesTLS: usesTLS)
        response.headers[HTTPField.Name.requestID] = context.id
        let route = context.endpointPath ?? "(unmatched)"
        let duration = ContinuousClock.now - context.startedAt
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: duration)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(response.status.code)",
                "duration_ms": "\(duration / .milliseconds(1))",
                "actor": "\(context.principal?.actor ?? "-")",
            ]
        )
        return response
    }
}

/// Headers every response carries.
enum SecurityHeaders {
    static func apply(to headers: inout HTTPFields, usesTLS: Bool) {
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Content-Security-Policy")!] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if usesTLS { headers[.init("Strict-Transport-Security")!] = "max-age=31536000; includeSubDomains" }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
