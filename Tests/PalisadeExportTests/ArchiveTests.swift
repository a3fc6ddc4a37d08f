import Crypto
import Foundation
import Logging
import PalisadeCore
import PalisadeExport
import PalisadeIngest
import PalisadeLedger
import PalisadeTesting
import Testing

/// The JSONL archive: what export writes verifies offline, restores to the same roots, and every
/// change to its files is caught and named.
struct ArchiveTests {
    static let signer = try! NoteSigner(name: "archive.test", privateKey: Curve25519.Signing.PrivateKey())

    static func sequencer(_ store: MemoryStore, clock: ManualWallClock = ManualWallClock()) -> LogSequencer {
        LogSequencer(backend: store, signer: signer, clock: clock, configuration: .init(origin: "archive.test"), logger: Logger(label: "test"))
    }

    /// A store holding `count` events, appended in batches of 500, one minute apart.
    static func populated(_ count: Int, clock: ManualWallClock = ManualWallClock()) async throws -> MemoryStore {
        let store = MemoryStore()
        let factory = EventFactory(clock: clock)
        let sequencer = sequencer(store, clock: clock)
        var appended = 0
        while appended < count {
            let batch = (appended..<min(count, appended + 500)).map { n in
                clock.advance(seconds: 60)
                return PreparedEvent(factory.event(actor: "user-\(n % 17)", resource: "r\(n)", metadata: .object(["n": .number(Double(n))])))
            }
            _ = try await sequencer.append(batch)
            appended += batch.count
        }
        return store
    }

    static func export(_ store: MemoryStore, options: ArchiveExporter.Options) async throws -> (URL, ArchiveExporter.Report) {
        let directory = try TemporaryDirectory.make("palisade-archive").appendingPathComponent("archive")
        let report = try await ArchiveExporter(backend: store, events: store, signer: signer).export(
            tenant: .default,
            to: directory,
            options: options
        )
        return (directory, report)
    }

    @Test func anExportVerifiesOfflineAndRestoresToTheSameRoots() async throws {
        let store = try await Self.populated(10_000)
        let (directory, report) = try await Self.export(store, options: .init(maxSegmentEvents: 3_000))
        defer { TemporaryDirectory.remove(directory.deletingLastPathComponent()) }
        #expect(report.manifest.segments.map(\.first) == [0, 3_000, 6_000, 9_000])
        #expect(report.manifest.segments.map(\.end) == [3_000, 6_000, 9_000, 10_000])
        // Each segment's root is the log's root at its end.
        let prover = LogProver(backend: store)
        for segment in report.manifest.segments {
            #expect(try await prover.root(tenant: .default, size: segment.end) == segment.root)
        }
        #expect(report.fileBytes < report.entryBytes / 3, "gzip should shrink JSON lines at least threefold")

        let verified = try ArchiveVerifier.verify(directory, key: Self.signer.verifier)
        #expect(verified.entries == 10_000 && verified.tenant == .default && verified.checkpoint.size == 10_000)

        let restored = MemoryStore()
        let restoredReport = try await ArchiveImporter(backend: restored, sequencer: Self.sequencer(restored)).restore(
            directory,
            key: Self.signer.verifier
        )
        #expect(restoredReport.entries == 10_000)
        #expect(try await LogProver(backend: restored).root(tenant: .default, size: 10_000) == report.manifest.segments.last?.root)
        let original = await store.records(of: .default, in: 0..<10_000).map(\.entry)
        #expect(await restored.records(of: .default, in: 0..<10_000).map(\.entry) == original)
        // A second restore into the same log is refused, and writes nothing.
        await #expect(throws: ArchiveError.self) {
            try await ArchiveImporter(backend: restored, sequencer: Self.sequencer(restored)).restore(directory, key: Self.signer.verifier)
        }
        #expect(await restored.logHead(of: .default)?.size == 10_000)
    }

    @Test func aRangeJoinsTheLogBeforeAndAfterIt() async throws {
        let store = try await Self.populated(7_000)
        let (directory, report) = try await Self.export(store, options: .init(from: 2_500, to: 6_000, maxSegmentEvents: 1_000))
        defer { TemporaryDirectory.remove(directory.deletingLastPathComponent()) }
        #expect(report.manifest.start == 2_500 && report.manifest.frontier.count == UInt64(2_500).nonzeroBitCount)
        #expect(report.manifest.checkpointSize == 7_000 && !report.manifest.proof.isEmpty)
        let verified = try ArchiveVerifier.verify(directory, key: Self.signer.verifier)
        #expect(verified.entries == 3_500)
        // Only an archive from index 0 restores into an empty log.
        let empty = MemoryStore()
        await #expect {
            try await ArchiveImporter(backend: empty, sequencer: Self.sequencer(empty)).restore(directory, key: Self.signer.verifier)
        } throws: { error in
            "\(error)".contains("only an archive from index 0")
        }
        #expect(await empty.logHead(of: .default) == nil)
    }

    @Test func segmentsFollowPeriods() async throws {
        // 3,000 events a minute apart span three days.
        let store = try await Self.populated(3_000)
        let (directory, report) = try await Self.export(store, options: .init(segmentPeriodSeconds: 86_400))
        defer { TemporaryDirectory.remove(directory.deletingLastPathComponent()) }
        #expect(report.manifest.segments.count == 3)
        for segment in report.manifest.segments {
            #expect(segment.firstTimestamp.prefix(10) == segment.lastTimestamp.prefix(10), "\(segment)")
        }
        #expect(try ArchiveVerifier.verify(directory, key: Self.signer.verifier).entries == 3_000)
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: String
        let apply: @Sendable (URL, ArchiveManifest) throws -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "flip a byte of a segment", expected: "segment-00000000000000001000.jsonl.gz: its SHA-256 is not the manifest's") {
            directory,
            _ in
            let url = directory.appendingPathComponent(ArchiveFiles.segmentName(first: 1_000))
            var bytes = [UInt8](try Data(contentsOf: url))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: url)
        },
        Damage(name: "remove a segment", expected: "cannot read") { directory, _ in
            try FileManager.default.removeItem(at: directory.appendingPathComponent(ArchiveFiles.segmentName(first: 2_000)))
        },
        Damage(name: "edit the manifest", expected: "manifest is not signed by key archive.test") { directory, _ in
            let url = directory.appendingPathComponent(ArchiveFiles.manifestName)
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "segment 1000 2000", with: "segment 1000 1999")
            try text.write(to: url, atomically: true, encoding: .utf8)
        },
        Damage(name: "replace the checkpoint", expected: "checkpoint is not signed by key archive.test") { directory, _ in
            let other = try NoteSigner(name: "archive.test", privateKey: Curve25519.Signing.PrivateKey())
            let note = try other.sign(Checkpoint(origin: "archive.test/default", size: 3_000, rootHash: RFC9162.emptyRoot).text)
            try note.serialized.write(to: directory.appendingPathComponent(ArchiveFiles.checkpointName), atomically: true, encoding: .utf8)
        },
    ]

    @Test(arguments: damages)
    func damageIsCaughtAndNamed(damage: Damage) async throws {
        let store = try await Self.populated(3_000)
        let (directory, report) = try await Self.export(store, options: .init(maxSegmentEvents: 1_000))
        defer { TemporaryDirectory.remove(directory.deletingLastPathComponent()) }
        try damage.apply(directory, report.manifest)
        #expect {
            try ArchiveVerifier.verify(directory, key: Self.signer.verifier)
        } throws: { error in
            "\(error)".contains(damage.expected)
                || {
                    Issue.record("got: \(error)")
                    return false
                }()
        }
    }

    @Test func manifestTextRoundTripsAndRejectsTraversal() throws {
        let manifest = ArchiveManifest(
            origin: "palisade.local/default",
            start: 5,
            frontier: [RFC9162.leafHash(of: [1]), RFC9162.leafHash(of: [2])],
            segments: [
                .init(
                    first: 5,
                    end: 9,
                    firstTimestamp: "2026-11-22T12:00:00Z",
                    lastTimestamp: "2026-11-22T13:00:00Z",
                    sha256: String(repeating: "ab", count: 32),
                    root: RFC9162.leafHash(of: [3]),
                    fileName: ArchiveFiles.segmentName(first: 5)
                )
            ],
            checkpointSize: 12,
            proof: [RFC9162.leafHash(of: [4])]
        )
        #expect(try ArchiveManifest(parsing: manifest.text) == manifest)
        let traversal = manifest.text.replacingOccurrences(of: ArchiveFiles.segmentName(first: 5), with: "../../etc/passwd")
        #expect(throws: ArchiveError.self) { try ArchiveManifest(parsing: traversal) }
        let gap = manifest.text.replacingOccurrences(of: "segment 5 9", with: "segment 6 9")
        #expect(throws: ArchiveError.self) { try ArchiveManifest(parsing: gap) }
    }
}
