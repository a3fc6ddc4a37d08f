import Foundation
public import PalisadeCore

/// Turns raw input (JSON values or NDJSON lines) into ``PreparedEvent``s: parse, validate,
/// normalize, encode canonically and hash — everything an append needs before it is numbered.
///
/// It is a value with no shared state, so each request handler or CLI reader uses its own, and the
/// costly encoding and hashing run in the caller's task rather than in the sequencer.
public struct IngestPipeline: Sendable {
    /// The validator.
    public var validator: EventValidator
    /// The JSON limits for one event.
    public var jsonLimits: JSONParser.Limits
    private let clock: any WallClock

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - validator: field limits.
    ///   - clock: the source of receipt times.
    ///   - jsonLimits: limits for one event's JSON; default 64 KiB and depth 16 (metadata has its own
    ///     tighter limits in the validator).
    public init(
        validator: EventValidator = EventValidator(),
        clock: any WallClock,
        jsonLimits: JSONParser.Limits = .init(maxBytes: 1 << 16, maxDepth: 16)
    ) {
        self.validator = validator
        self.clock = clock
        self.jsonLimits = jsonLimits
    }

    /// A pipeline for sample events (dry runs of rules, benchmarks): validated as ingest would, but
    /// of any age, since samples are often old.
    public static func forSamples(clock: any WallClock) -> IngestPipeline {
        IngestPipeline(validator: EventValidator(configuration: .init(maxPastAgeSeconds: 100 * 365 * 86_400)), clock: clock)
    }

    /// Validates one JSON value as an event of `tenant`; an event without an `id` gets a
    /// time-ordered version 7 UUID.
    public func prepare(_ json: JSONValue, tenant: TenantID) throws(EventValidationError) -> PreparedEvent {
        let now = clock.now()
        var random = SystemRandomNumberGenerator()
        let draft = EventDraft(json: json)
        let event = try validator.validate(draft, tenant: tenant, receivedAt: now, generatedID: .version7(at: now, using: &random))
        return PreparedEvent(event, idIsClientSupplied: draft.id != nil)
    }

    /// Parses and validates one line of NDJSON.
    ///
    /// - Throws: ``EventValidationError``; a JSON syntax error is reported as an issue of field `(json)`.
    public func prepare(line: some Collection<UInt8>, tenant: TenantID) throws(EventValidationError) -> PreparedEvent {
        let json: JSONValue
        do {
            json = try JSONParser(limits: jsonLimits).parse(line)
        } catch {
            throw EventValidationError(issues: [.init(field: "(json)", message: error.description)])
        }
        return try prepare(json, tenant: tenant)
    }
}
