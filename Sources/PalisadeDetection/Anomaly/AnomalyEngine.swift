import Foundation
public import PalisadeCore

/// The statistical detectors, per tenant, over its events in log order:
///
/// - **rate**: an actor's events per bucket against its EWMA baseline (z-score);
/// - **volume**: an actor's data volume per bucket (`metadata.bytes`) against its baseline —
///   exfiltration;
/// - **token usage**: an actor's (an agent's) LLM tokens per bucket (`metadata.tokens`) against its
///   baseline — a runaway or abused agent;
/// - **time of day**: activity in an hour of the week, and the hours beside it, that the actor has
///   never been active in;
/// - **new value**: the first time an actor uses a resource, user agent or country;
/// - **impossible travel**: two successful sign-ins further apart than anyone can travel in the
///   time between (with a ``GeoLocator``).
///
/// False positives are held down by learning periods (buckets, days and events of history), an
/// absolute floor and a deviation floor, a cool-down per detector and entity, and allow-lists of
/// actors and networks. Memory is bounded per detector (``AnomalyConfiguration/maxEntities``), and
/// the whole state is saved with the consumer's cursor, so a restart does not learn from zero.
public struct AnomalyEngine: Sendable {
    struct RateState: Codable, Sendable {
        var baseline = EWMABaseline()
        var lastAlert: Int64?
    }

    struct HourState: Codable, Sendable {
        var hours = [Int32](repeating: 0, count: 168)
        var events = 0
        var firstSeen: Int64
        var lastAlert: Int64?
    }

    struct ValueState: Codable, Sendable {
        /// `field=value` → last seen, microseconds.
        var values: [String: Int64] = [:]
        var events = 0
        var firstSeen: Int64
        var lastAlert: Int64?
    }

    struct TravelState: Codable, Sendable {
        var location: GeoLocation
        var time: Int64
        var address: String
        var index: UInt64
        var lastAlert: Int64?
    }

    struct State: Codable, Sendable {
        var rate: EntityTable<RateState>
        var volume: EntityTable<RateState>
        var tokens: EntityTable<RateState>?
        var hours: EntityTable<HourState>
        var values: EntityTable<ValueState>
        var travel: EntityTable<TravelState>
    }

    /// The configuration.
    public let configuration: AnomalyConfiguration
    private let geo: (any GeoLocator)?
    private var state: State

    /// Creates the detectors with no history.
    ///
    /// - Parameter geo: where addresses are; without it the country and travel detectors are off.
    public init(configuration: AnomalyConfiguration = AnomalyConfiguration(), geo: (any GeoLocator)? = nil) {
        self.configuration = configuration
        self.geo = geo
        let limit = configuration.maxEntities
        state = State(
            rate: EntityTable(maxEntities: limit),
            volume: EntityTable(maxEntities: limit),
            tokens: EntityTable(maxEntities: limit),
            hours: EntityTable(maxEntities: limit),
            values: EntityTable(maxEntities: limit),
            travel: EntityTable(maxEntities: limit)
        )
    }

    /// Entities held per detector (rate, volume, hours, values, travel).
    public var entityCounts: [Int] {
        [state.rate.count, state.volume.count, state.tokens?.count ?? 0, state.hours.count, state.values.count, state.travel.count]
    }

    /// Runs every detector on one event.
    public mutating func process(_ stored: StoredEvent) -> [Detection] {
        let event = stored.event
        guard let actor = event.actor, !configuration.allowedActors.contains(actor) else { return [] }
        if let address = event.sourceIP, configuration.allowedNetworks.contains(where: { $0.contains(address) }) { return [] }
        let time = event.timestamp.microseconds
        var detections = [Detection]()
        if let detection = rate(stored, actor, time) { detections.append(detection) }
        if let detection = volume(stored, actor, time) { detections.append(detection) }
        if let detection = tokens(stored, actor, time) { detections.append(detection) }
        if let detection = hourOfWeek(stored, actor, time) { detections.append(detection) }
        detections += newValues(stored, actor, time)
        if let detection = travel(stored, actor, time) { detections.append(detection) }
        return detections
    }

    private var bucketMicroseconds: Int64 { configuration.bucketSeconds * 1_000_000 }

    private func coolingDown(_ lastAlert: Int64?, _ time: Int64) -> Bool {
        lastAlert.map { time - $0 < configuration.cooldownSeconds * 1_000_000 } ?? false
    }

    private mutating func rate(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> Detection? {
        let alert = baselineAlert(\.rate, actor, 1, time, minimum: configuration.minimumEvents, floor: configuration.rateDeviationFloor)
        return alert.map { baseline in
            detection(
                "anomaly.rate",
                .anomalousAccess,
                .medium,
                stored,
                actor,
                title: "\(actor): \(Int(baseline.current)) events this \(bucketName), usually about \(Int(baseline.mean.rounded()))"
            )
        }
    }

    private mutating func volume(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> Detection? {
        guard let text = stored.event.values(of: configuration.volumeField).first, let bytes = Double(text), bytes > 0 else { return nil }
        let alert = baselineAlert(\.volume, actor, bytes, time, minimum: configuration.minimumBytes, floor: configuration.volumeDeviationFloor)
        return alert.map { baseline in
            detection(
                "anomaly.volume",
                .dataExfiltration,
                .high,
                stored,
                actor,
                title: "\(actor) moved \(Self.megabytes(baseline.current)) this \(bucketName), usually about \(Self.megabytes(baseline.mean))"
            )
        }
    }

    private mutating func tokens(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> Detection? {
        guard stored.event.eventType == .llmInteraction, let text = stored.event.values(of: configuration.tokenField).first,
            let count = Double(text), count > 0
        else { return nil }
        if state.tokens == nil { state.tokens = EntityTable(maxEntities: configuration.maxEntities) }
        let alert = baselineAlert(\.tokens!, actor, count, time, minimum: configuration.minimumTokens, floor: configuration.tokenDeviationFloor)
        return alert.map { baseline in
            detection(
                "anomaly.tokens",
                .rateLimitAbuse,
                .medium,
                stored,
                actor,
                title: "\(actor) used \(Int(baseline.current)) LLM tokens this \(bucketName), usually about \(Int(baseline.mean.rounded()))"
            )
        }
    }

    /// Adds `value` to an entity's baseline; returns the baseline when the current bucket has just
    /// become an anomaly (enough history, above the floor, z-score past the threshold, not cooling down).
    private mutating func baselineAlert(
        _ table: WritableKeyPath<State, EntityTable<RateState>>,
        _ actor: String,
        _ value: Double,
        _ time: Int64,
        minimum: Double,
        floor: Double
    ) -> EWMABaseline? {
        var entity = state[keyPath: table][actor] ?? RateState()
        entity.baseline.add(value, bucket: time / bucketMicroseconds, alpha: configuration.alpha)
        defer { state[keyPath: table].store(actor, entity, at: time) }
        let baseline = entity.baseline
        guard baseline.samples >= configuration.minimumBuckets, !baseline.alerted, baseline.current >= minimum,
            baseline.zScore(floor: floor) >= configuration.zThreshold, !coolingDown(entity.lastAlert, time)
        else { return nil }
        entity.baseline.alerted = true
        entity.lastAlert = time
        return baseline
    }

    private var bucketName: String { configuration.bucketSeconds == 3_600 ? "hour" : "\(configuration.bucketSeconds) s" }

    private static func megabytes(_ bytes: Double) -> String { String(format: "%.1f MB", bytes / 1_000_000) }

    private func learned(firstSeen: Int64, events: Int, at time: Int64) -> Bool {
        events >= configuration.learningEvents && time - firstSeen >= configuration.learningDays * 86_400_000_000
    }

    private mutating func hourOfWeek(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> Detection? {
        var entity = state.hours[actor] ?? HourState(firstSeen: time)
        let hour = Self.hourOfWeek(time)
        defer {
            entity.hours[hour] += 1
            entity.events += 1
            state.hours.store(actor, entity, at: time)
        }
        guard learned(firstSeen: entity.firstSeen, events: entity.events, at: time),
            entity.hours[hour] == 0, entity.hours[(hour + 167) % 168] == 0, entity.hours[(hour + 1) % 168] == 0,
            !coolingDown(entity.lastAlert, time)
        else { return nil }
        entity.lastAlert = time
        let day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][hour / 24]
        return detection(
            "anomaly.time_of_day",
            .anomalousAccess,
            .low,
            stored,
            actor,
            title: "\(actor) active on \(day) at \(hour % 24):00 UTC, never before at that time"
        )
    }

    /// Monday 00:00 UTC is hour 0 (1970-01-01 was a Thursday).
    static func hourOfWeek(_ microseconds: Int64) -> Int {
        let hours = Int(floor(Double(microseconds) / 3_600_000_000))
        let day = ((hours / 24) + 3) % 7
        return ((day + 7) % 7) * 24 + ((hours % 24) + 24) % 24
    }

    private mutating func newValues(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> [Detection] {
        var entity = state.values[actor] ?? ValueState(firstSeen: time)
        let isLearned = learned(firstSeen: entity.firstSeen, events: entity.events, at: time)
        var detections = [Detection]()
        for field in configuration.newValueFields {
            let value: String?
            if field == "country" {
                value = stored.event.sourceIP.flatMap { geo?.locate($0)?.country }
            } else {
                value = stored.event.values(of: field).first
            }
            guard let value else { continue }
            let key = "\(field)=\(value)"
            if entity.values[key] == nil, isLearned, !coolingDown(entity.lastAlert, time) {
                entity.lastAlert = time
                detections.append(
                    detection(
                        "anomaly.new_value",
                        .anomalousAccess,
                        field == "country" ? .medium : .low,
                        stored,
                        actor,
                        title: "\(actor) used \(field.replacingOccurrences(of: "_", with: " ")) \(value) for the first time"
                    )
                )
            }
            entity.values[key] = time
        }
        if entity.values.count > configuration.maxValuesPerEntity {
            for (key, _) in entity.values.sorted(by: { $0.value < $1.value }).prefix(entity.values.count - configuration.maxValuesPerEntity) {
                entity.values[key] = nil
            }
        }
        entity.events += 1
        state.values.store(actor, entity, at: time)
        return detections
    }

    private mutating func travel(_ stored: StoredEvent, _ actor: String, _ time: Int64) -> Detection? {
        let event = stored.event
        guard event.eventType == .authentication, event.success, let address = event.sourceIP, let location = geo?.locate(address) else {
            return nil
        }
        let previous = state.travel[actor]
        var entity = TravelState(location: location, time: time, address: address.text, index: stored.index, lastAlert: previous?.lastAlert)
        defer { state.travel.store(actor, entity, at: time) }
        guard let previous, time > previous.time else { return nil }
        let kilometres = previous.location.kilometres(to: location)
        let hours = Double(time - previous.time) / 3_600_000_000
        guard kilometres >= configuration.minimumTravelKilometres, kilometres / hours > configuration.maxTravelSpeed,
            !coolingDown(previous.lastAlert, time)
        else { return nil }
        entity.lastAlert = time
        var result = detection(
            "anomaly.impossible_travel",
            .anomalousAccess,
            .high,
            stored,
            actor,
            title:
                "\(actor) signed in from \(previous.location.country) and \(location.country), \(Int(kilometres)) km apart, \(Int(hours * 60)) minutes apart"
        )
        result.evidence = [previous.index, stored.index]
        result.first = Timestamp(microseconds: previous.time)
        result.entities.addresses.insert(previous.address)
        return result
    }

    private func detection(
        _ rule: String,
        _ incident: IncidentType,
        _ level: ThreatLevel,
        _ stored: StoredEvent,
        _ actor: String,
        title: String
    ) -> Detection {
        let event = stored.event
        return Detection(
            rule: rule,
            incident: incident,
            level: level,
            title: title,
            group: "actor=\(actor)",
            evidence: [stored.index],
            entities: IncidentEntities(
                actors: [actor],
                addresses: Set(event.sourceIP.map { [$0.text] } ?? []),
                resources: Set(event.resource.map { [$0] } ?? [])
            ),
            first: event.timestamp,
            last: event.timestamp
        )
    }

    /// The detectors' state, for saving with the consumer's cursor: Foundation's JSON of it, in
    /// base64 (its large doubles are not I-JSON integers, so it is kept as one opaque string).
    public func savedState() -> JSONValue {
        do {
            return .string(try JSONEncoder().encode(state).base64EncodedString())
        } catch {
            // Plain Codable structs of numbers and strings always encode.
            preconditionFailure("the anomaly state did not encode: \(error)")
        }
    }

    /// Replaces the state with a saved one.
    ///
    /// - Throws: ``RuleStateError`` when it is malformed (the state is then left as it was).
    public mutating func restore(_ saved: JSONValue) throws(RuleStateError) {
        guard case .string(let text) = saved, let data = Data(base64Encoded: text) else {
            throw RuleStateError("the saved anomaly state is not a base64 string")
        }
        do {
            state = try JSONDecoder().decode(State.self, from: data)
        } catch {
            throw RuleStateError("the saved anomaly state is not readable: \(error)")
        }
    }
}
