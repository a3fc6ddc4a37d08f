import HTTPTypes
public import Hummingbird
import Logging
import PalisadeCore
import PalisadeIngest

/// Turns every error into a JSON error response: ``APIError`` as it is, Hummingbird's own errors
/// (body too large, bad request) with their status, and anything else as a 500 or 503 that is
/// logged with the request id and tells the client nothing internal.
public struct ErrorMiddleware: RouterMiddleware {
    /// The request context.
    public typealias Context = PalisadeRequestContext

    let metrics: ServerMetrics

    /// Creates the middleware.
    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Runs the request; maps what it throws.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.map(error, context: context, metrics: metrics)
            return try apiError.response(from: request, context: context)
        }
    }

    /// The client-facing error for `error`; server faults are logged here.
    static func map(_ error: any Error, context: some RequestContext, metrics: ServerMetrics) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge:
                return APIError(.contentTooLarge, code: "body_too_large", "the request body is larger than this route accepts")
            case .notFound:
                return .notFound("no route matches this path")
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, code: "method_not_allowed", "this route does not accept this method")
            default:
                return APIError(error.status, code: "http_error", error.body ?? error.status.reasonPhrase)
            }
        case let error as StoreError where error.code == .unavailable:
            context.logger.error("store unavailable", metadata: ["error": "\(error)"])
            metrics.internalFailure("store_unavailable")
            return .unavailable("the store is unavailable; try again (request id \(context.id))")
        case is CommitterError:
            return .unavailable("the server is shutting down; retry on another node or later")
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)", "error_type": "\(type(of: error))"])
            metrics.internalFailure("unhandled")
            return APIError(.internalServerError, code: "internal", "internal error; quote request id \(context.id)")
        }
    }
}
