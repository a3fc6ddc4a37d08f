import Foundation
import PalisadeTesting
import Testing

/// `palisade rules list` and `palisade rules test`: dry runs of a rule over sample events, showing
/// which lines match and what is detected, with broken rules refused before anything runs.
struct RulesCLITests {
    static func failures(_ count: Int, actor: String = "alice") -> String {
        (0..<count).map { n in
            #"{"event_type":"authentication","action":"login","actor":"\#(actor)","success":false,"source_ip":"198.51.100.\#(n)","timestamp":"2025-06-01T10:00:0\#(n % 10)Z"}"#
        }.joined(separator: "\n") + "\n"
    }

    @Test func aDefaultRuleIsDryRunOverSampleEvents() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let list = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "list"])
        #expect(
            list.status == 0 && list.stdout.contains("auth.brute_force.actor\tbrute_force_attack\thigh\t10 events per actor in 300 s"),
            "\(list.stdout)"
        )
        let events = try cli.file("failures.ndjson", Self.failures(10) + #"{"event_type":"authentication","action":"login"}"# + "\n")
        let run = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "test", "auth.brute_force.actor", "--events", events])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains(
                "line 10: DETECTED brute_force_attack (high): Brute force against alice [group actor=alice; evidence lines 1,2,3,4,5,6,7,8,9,10]"
            ),
            "\(run.stdout)"
        )
        #expect(run.stdout.contains("11 events, 10 matched, 1 detections, 0 rejected"), "\(run.stdout)")
    }

    @Test func sigmaRulesAndBrokenRules() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let sigma = try cli.file(
            "rule.yml",
            "title: Root login\nid: root-login\ndetection:\n  sel:\n    actor: root\n  condition: sel\n"
        )
        let events = try cli.file("events.ndjson", Self.failures(2) + Self.failures(1, actor: "ROOT") + "not json\n")
        let run = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "test", sigma, "--sigma", "--events", events])
        #expect(
            run.status == 1 && run.stdout.contains("line 3: matches") && run.stdout.contains("3 events, 1 matched, 0 detections, 1 rejected"),
            "\(run.stdout)"
        )
        #expect(run.stderr.contains("line 4: rejected"), "\(run.stderr)")
        let broken = try cli.file(
            "broken.yml",
            "id: b1\nincident: brute_force_attack\nlevel: high\ndetection:\n  sel:\n    actor|fuzzy: x\n  condition: sel\n"
        )
        let refused = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "test", broken, "--events", events])
        #expect(refused.status == 1 && refused.stderr.contains("rule b1: modifier 'fuzzy'"), "\(refused.stderr)")
        let missing = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "test", "no.such.rule", "--events", events])
        #expect(missing.status == 1 && missing.stderr.contains("see `palisade rules list`"), "\(missing.stderr)")
    }

    @Test func aRulesDirectoryIsListedWithTheDefaultsAndCheckedFileByFile() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let directory = cli.root.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: SharedFiles.projectRoot.appendingPathComponent("Tests/Fixtures/sigma/corr_brute_force_event_count.yml"),
            to: directory.appendingPathComponent("brute.yml")
        )
        let list = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "list", "--rules-dir", directory.path])
        #expect(list.status == 0 && list.stdout.contains("brute_force_attack\thigh\t10 events per actor in 300 s"), "\(list.stdout)")
        #expect(list.stdout.contains("auth.brute_force.actor\t"), "the default pack is still there")
        try "id: x\n".write(to: directory.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
        let refused = try ExternalProcess.run(PalisadeCLI.binary, ["rules", "list", "--rules-dir", directory.path])
        #expect(refused.status == 1 && refused.stderr.contains("bad.yml: rule x: it has no detection"), "\(refused.stderr)")
    }
}
