import ArgumentParser
import Foundation
import PalisadeCore
import PalisadeDetection
import PalisadeIngest

/// `palisade rules`: the detection rules, and dry runs of a rule over sample events.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the detection rules, or dry-run a rule over sample events.",
        subcommands: [ListRules.self, TestRule.self]
    )
}

/// `palisade rules list`.
struct ListRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The rules in force: id, incident, level, trigger (the default pack, plus a rules directory's files)."
    )

    @Option(help: ArgumentHelp("A rules directory (as serve's detection.rules_dir): its files are checked and listed too.", valueName: "path"))
    var rulesDir: String?

    func run() async throws {
        try await reportingErrors {
            let rules = try RuleFiles.load(rulesDir.map { URL(fileURLWithPath: $0) })
            for rule in rules {
                let trigger =
                    switch rule.trigger {
                    case .each: "each event"
                    case .threshold(let configuration, let groupBy, let distinct):
                        "\(configuration.threshold) \(distinct.map { "distinct \($0)" } ?? "events") per \(groupBy.joined(separator: ",")) in \(configuration.windowMicroseconds / 1_000_000) s"
                    case .sequence(let configuration, _, _, let groupBy):
                        "sequence (\(configuration.minimumFirst)× first, then) per \(groupBy.joined(separator: ",")) in \(configuration.withinMicroseconds / 1_000_000) s"
                    case .temporal(let configuration, let steps, let groupBy):
                        "\(steps.count) conditions\(configuration.ordered ? " in order" : "") per \(groupBy.joined(separator: ",")) in \(configuration.withinMicroseconds / 1_000_000) s"
                    }
                print("\(rule.id)\t\(rule.incident)\t\(rule.level)\t\(trigger)")
            }
        }
    }
}

/// `palisade rules test`.
struct TestRule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run one rule over NDJSON events and show which events match and what it detects.",
        discussion: """
            RULE is a rule file (Palisade's format, or a Sigma file with detection and correlation rules) or the id of a default rule. \
            Events are read in order, one JSON object per line, validated as ingest would; nothing is \
            written anywhere.
            """
    )

    @Argument(help: "A rule file, or the id of a default rule.") var rule: String
    @Option(help: ArgumentHelp("NDJSON events (default: standard input).", valueName: "file")) var events: String?
    @Flag(help: "RULE is a Sigma file (even without logsource): only show which events its conditions match.") var sigma = false

    func run() async throws {
        try await reportingErrors {
            let condition: EventMatcher
            var engine: DetectionEngine?
            do {
                if let source = DefaultRulePack.sources[rule], !FileManager.default.fileExists(atPath: rule) {
                    let compiled = try DetectionRule(yaml: source)
                    (condition, engine) = (EventMatcher(anyOf: [compiled.condition]), try DetectionEngine(rules: [compiled]))
                } else {
                    guard let data = FileManager.default.contents(atPath: rule) else {
                        throw CLIError("\(rule) is neither a readable file nor a default rule id (see `palisade rules list`)")
                    }
                    let text = String(decoding: data, as: UTF8.self)
                    let compiled = sigma ? try SigmaCollection(yaml: text).detectionRules() : try RuleFile.rules(from: text)
                    condition = EventMatcher(anyOf: compiled.map(\.condition))
                    engine = sigma ? nil : try DetectionEngine(rules: compiled)
                }
            } catch let error as RuleError {
                throw CLIError(error.description)
            }
            // Sample events may be old: accept any past timestamp.
            let pipeline = IngestPipeline.forSamples(clock: SystemWallClock())
            var reader = LineReader(handle: try inputHandle(events), maxLineBytes: pipeline.jsonLimits.maxBytes)
            var lineOfIndex = [Int]()
            var lineNumber = 0
            var matched = 0
            var detections = 0
            var rejected = 0
            while let line = try reader.next() {
                lineNumber += 1
                guard case .bytes(let bytes) = line, !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
                let event: AuditEvent
                do {
                    event = try pipeline.prepare(line: bytes, tenant: .default).event
                } catch {
                    rejected += 1
                    printError("line \(lineNumber): rejected: \(error)")
                    continue
                }
                lineOfIndex.append(lineNumber)
                if condition.matches(event) {
                    matched += 1
                    print("line \(lineNumber): matches")
                }
                guard engine != nil else { continue }
                for detection in engine!.process(StoredEvent(index: UInt64(lineOfIndex.count - 1), event: event)) {
                    detections += 1
                    let lines = detection.evidence.map { String(lineOfIndex[Int($0)]) }.joined(separator: ",")
                    print(
                        "line \(lineNumber): DETECTED \(detection.incident) (\(detection.level)): \(detection.title) [group \(detection.group.isEmpty ? "-" : detection.group); evidence lines \(lines)]"
                    )
                }
            }
            print("\(lineOfIndex.count) events, \(matched) matched, \(detections) detections, \(rejected) rejected")
            if rejected > 0 { throw Exit.failed }
        }
    }
}
