import Foundation
import PalisadeTesting
import Testing

/// Checkpoints time-stamped by a real RFC 3161 TSA (Debian's `openssl ts -reply`): the tokens
/// Palisade keeps beside its anchors pass `openssl ts -verify`, and a token moved to another
/// checkpoint is caught by `palisade verify --anchors` as well as by openssl.
@Suite(.serialized)
struct TimeStampTests {
    @Test func anchorsAreTimeStampedAndTheTokensVerifyWithOpenSSL() throws {
        let cli = try PalisadeCLI()
        defer { cli.removeAll() }
        let work = cli.root.appendingPathComponent("tsa").path
        let (python, arguments) = ExternalProcess.pythonArguments([
            SharedFiles.projectRoot.appendingPathComponent("Tests/palisadeTests/Scripts/openssl_tsa.py").path, work,
        ])
        let tsa = try ServeProcess(dataDir: nil, executable: python, command: arguments, arguments: [])
        defer { tsa.kill9() }
        let anchors = cli.root.appendingPathComponent("anchors").path

        #expect(try cli.run(["events", "append"], input: eventLines(10)).status == 0)
        let first = try cli.run(["anchor", "--to", anchors, "--tsa", tsa.baseURL])
        #expect(first.status == 0 && first.stdout.contains("TSA \(tsa.baseURL) stamped it at"), "\(first.stdout)\(first.stderr)")
        #expect(try cli.run(["events", "append"], input: eventLines(5, start: 10)).status == 0)
        #expect(try cli.run(["anchor", "--to", anchors, "--tsa", tsa.baseURL]).status == 0)

        let folder = anchors + "/default"
        let tokens = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tsr") }.sorted()
        #expect(tokens.count == 2)
        // The independent verifier: openssl checks the CMS signature, the TSA certificate chain and
        // that the token stamps the anchored file.
        for token in tokens {
            let stamped = folder + "/" + token.dropLast(4) + ".checkpoint"
            let openssl = try ExternalProcess.run(
                "/usr/bin/env",
                ["openssl", "ts", "-verify", "-data", stamped, "-in", folder + "/" + token, "-CAfile", work + "/ca.crt"]
            )
            #expect(openssl.status == 0 && openssl.stdout.contains("Verification: OK"), "\(openssl.stdout)\(openssl.stderr)")
        }
        let verify = try cli.run(["verify", "--anchors", anchors])
        #expect(verify.status == 0 && verify.stdout.contains("2 time-stamp tokens stamp their checkpoints"), "\(verify.stdout)\(verify.stderr)")
        let receipts = try cli.run(["events", "query", "--type", "palisade.anchor", "--format", "ndjson"]).stdout
        #expect(receipts.contains(#""action":"anchor.timestamp""#) && receipts.contains(#""token_sha256":"#), "\(receipts)")

        // A token moved onto another checkpoint fails both checks.
        let (older, newer) = (folder + "/" + tokens[0], folder + "/" + tokens[1])
        try FileManager.default.removeItem(atPath: older)
        try FileManager.default.copyItem(atPath: newer, toPath: older)
        let moved = try cli.run(["verify", "--anchors", anchors])
        #expect(moved.status == 1 && moved.stdout.contains("\(tokens[0]): the token stamps another digest"), "\(moved.stdout)")
        let openssl = try ExternalProcess.run(
            "/usr/bin/env",
            ["openssl", "ts", "-verify", "-data", folder + "/" + tokens[0].dropLast(4) + ".checkpoint", "-in", older, "-CAfile", work + "/ca.crt"]
        )
        #expect(openssl.status != 0)
    }
}
