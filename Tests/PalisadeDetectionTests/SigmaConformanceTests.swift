import Foundation
import PalisadeCore
import PalisadeDetection
import PalisadeIngest
import PalisadeTesting
import Testing

/// Sigma conformance against pySigma: a corpus of real-world-shaped rule files
/// (Tests/Fixtures/sigma) — detection rules with every supported modifier, correlation rules of
/// all four types, and files that must be refused — over a fixed set of events. pySigma parses
/// each file and its SQLite backend runs the converted queries; Palisade compiles the same files
/// and runs them; the matched events and correlated groups must be the same.
struct SigmaConformanceTests {
    static let corpus = SharedFiles.projectRoot.appendingPathComponent("Tests/Fixtures/sigma")

    struct Expectation: Sendable {
        var accept: Bool
        var reason: String
        var pySigmaAccepts: Bool
    }

    static func manifest() throws -> [String: Expectation] {
        let data = try Data(contentsOf: corpus.appendingPathComponent("expected.json"))
        guard case .object(let files) = try JSONParser().parse(Array(data)) else { throw RuleError("expected.json is not an object") }
        var manifest = [String: Expectation]()
        for (name, value) in files {
            guard case .object(let members) = value else { continue }
            if case .string(let reason)? = members["reject"] {
                manifest[name] = Expectation(accept: false, reason: reason, pySigmaAccepts: members["pysigma"] == .string("accepts"))
            } else {
                manifest[name] = Expectation(accept: true, reason: "", pySigmaAccepts: true)
            }
        }
        return manifest
    }

    /// The corpus's events, as ingest reads them, in file (and time) order.
    static func events() throws -> [AuditEvent] {
        let pipeline = IngestPipeline.forSamples(clock: SystemWallClock())
        let text = try String(contentsOf: corpus.appendingPathComponent("events.ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in try pipeline.prepare(line: Array(line.utf8), tenant: .default).event }
    }

    @Test func theCorpusIsLargeAndRealWorldShaped() throws {
        let manifest = try Self.manifest()
        #expect(manifest.count >= 30 && manifest.values.filter { !$0.accept }.count >= 8, "\(manifest.count) rules")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".yml") }
        #expect(Set(files) == Set(manifest.keys), "every rule file has an expectation")
    }

    @Test func palisadeAcceptsAndRefusesWhatTheManifestSays() throws {
        for (name, expectation) in try Self.manifest().sorted(by: { $0.key < $1.key }) {
            let text = try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8)
            do {
                let rules = try RuleFile.rules(from: text)
                #expect(expectation.accept && !rules.isEmpty, "\(name) should have been refused: \(expectation.reason)")
            } catch {
                #expect(!expectation.accept, "\(name) was refused: \(error)")
                #expect(error.description.contains(expectation.reason), "\(name): \(error)")
                #expect(error.description.hasPrefix("Sigma "), "the error names the rule: \(error)")
            }
        }
    }

    @Test func matchesAndCorrelationsAgreeWithPySigma() throws {
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/palisadeTests/Scripts/sigma_crosscheck.py").path, Self.corpus.path,
            Self.corpus.appendingPathComponent("events.ndjson").path,
        ])
        let run = try ExternalProcess.run(python, arguments)
        #expect(run.status == 0, "\(run.stderr)")
        guard case .object(let top) = try JSONParser(limits: .init(maxBytes: 1 << 24, maxDepth: 16)).parse(run.stdout),
            case .object(let results)? = top["rules"]
        else {
            Issue.record("the cross-check printed no results: \(run.stdout.prefix(500)) \(run.stderr.prefix(500))")
            return
        }
        let events = try Self.events()
        var compared = 0
        for (name, expectation) in try Self.manifest().sorted(by: { $0.key < $1.key }) {
            guard case .object(let result)? = results[name] else {
                Issue.record("\(name): no pySigma result")
                continue
            }
            #expect((result["parsed"] == .bool(true)) == expectation.pySigmaAccepts, "\(name): pySigma says \(result["error"] ?? .null)")
            guard expectation.accept else { continue }
            let rules = try RuleFile.rules(from: try String(contentsOf: Self.corpus.appendingPathComponent(name), encoding: .utf8))
            // Events matched by the file's rules that fire on each event; groups of its correlations.
            var matched = Set<Int>()
            var groups = Set<String>()
            var engine = try DetectionEngine(rules: rules)
            for (offset, event) in events.enumerated() {
                for rule in rules where rule.isEachEvent && rule.condition.matches(event) { matched.insert(offset + 1) }
                for detection in engine.process(StoredEvent(index: UInt64(offset), event: event)) where !detection.group.isEmpty {
                    groups.insert(detection.group.lowercased())
                }
            }
            let theirMatches = Set(Self.numbers(result["matches"]))
            let theirGroups = Set(Self.strings(result["groups"]))
            #expect(matched == theirMatches, "\(name): Palisade \(matched.sorted()) vs pySigma \(theirMatches.sorted())")
            #expect(groups == theirGroups, "\(name): Palisade \(groups.sorted()) vs pySigma \(theirGroups.sorted())")
            #expect(!matched.isEmpty || !groups.isEmpty, "\(name) matches something in the corpus events")
            compared += 1
        }
        #expect(compared >= 30)
    }

    static func numbers(_ value: JSONValue?) -> [Int] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .number(let number) = $0 { Int(number) } else { nil } }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
}
