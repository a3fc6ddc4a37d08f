import Crypto
import PalisadeLedger
import PalisadeTesting
import Testing

/// Cosignatures as C2SP tlog-cosignature defines them, and the witness's decisions as
/// tlog-witness assigns them: a rollback, a fork or a bad proof is never cosigned.
struct CosignatureAndWitnessRulesTests {
    static let log = try! NoteSigner(name: "palisade.local", privateKey: Curve25519.Signing.PrivateKey())
    static let leaves = (0..<40).map { Array("entry \($0)".utf8) }

    /// The signed checkpoint of the first `size` leaves (optionally with one leaf changed).
    static func note(size: Int, forged: Int? = nil, origin: String = "palisade.local/default", signer: NoteSigner = log) throws -> SignedNote {
        var leaves = Array(Self.leaves[0..<size])
        if let forged { leaves[forged] = Array("forged".utf8) }
        let root = MerkleHash(bytes: ReferenceMerkle.root(leaves[...]))!
        return try signer.sign(Checkpoint(origin: origin, size: UInt64(size), rootHash: root).text)
    }

    static func proof(from old: Int, to size: Int) -> [MerkleHash] {
        ReferenceMerkle.consistencyProof(old, Array(leaves[0..<size])[...]).map { MerkleHash(bytes: $0)! }
    }

    @Test func aCosignatureIsTimestampedAndBoundToItsKeyAndText() throws {
        let seed = Curve25519.Signing.PrivateKey()
        let cosigner = try Cosigner(name: "witness.example/w1", privateKey: seed)
        // Key ID per the spec: SHA-256(name || 0x0A || 0x04 || public key)[:4].
        let expectedID = Array(SHA256.hash(data: Array("witness.example/w1\n".utf8) + [0x04] + Array(seed.publicKey.rawRepresentation)).prefix(4))
        #expect(cosigner.verifier.keyID == expectedID)
        #expect(try CosignatureVerifier(parsing: cosigner.verifier.vkey) == cosigner.verifier)
        #expect(try Cosigner(parsing: cosigner.privateKeyString).verifier == cosigner.verifier)
        // A log (type 0x01) key is not a witness key.
        #expect(throws: LedgerError.self) { try CosignatureVerifier(parsing: Self.log.verifier.vkey) }

        var note = try Self.note(size: 5)
        note.signatures.append(try cosigner.cosign(note.text, at: 1_700_000_000))
        #expect(cosigner.verifier.timestamp(of: note) == 1_700_000_000)
        // The signed message is "cosignature/v1\ntime <t>\n" + the text.
        let signature = note.signatures.last!.signature
        #expect(signature.count == 72 && signature.prefix(8) == [0, 0, 0, 0, 0x65, 0x53, 0xF1, 0x00])
        #expect(seed.publicKey.isValidSignature(Array(signature.dropFirst(8)), for: Array("cosignature/v1\ntime 1700000000\n\(note.text)".utf8)))
        // Another text, another time or another key does not verify.
        var moved = note
        moved.text = try Self.note(size: 6).text
        #expect(cosigner.verifier.timestamp(of: moved) == nil)
        var retimed = note
        retimed.signatures[retimed.signatures.count - 1].signature[7] ^= 1
        #expect(cosigner.verifier.timestamp(of: retimed) == nil)
        #expect(try Cosigner(name: "witness.example/w1", privateKey: .init()).verifier.timestamp(of: note) == nil)
        // The log's own signature still verifies next to the cosignature.
        if case .verified = Self.log.verifier.verify(note) {} else { Issue.record("the log signature must survive the cosignature") }
    }

    @Test func theWitnessCosignsOnlyConsistentGrowthOfLogsItFollows() throws {
        let rules = WitnessRules(logKeys: [Self.log.verifier])
        var latest = [String: Checkpoint]()
        func submit(_ request: AddCheckpointRequest) -> Result<Checkpoint, WitnessRejection> {
            // Round-trip through the wire format, as a witness receives it.
            let parsed: AddCheckpointRequest
            do {
                parsed = try AddCheckpointRequest(parsing: request.body)
            } catch {
                return .failure(error)
            }
            let result = rules.check(parsed, latest: { latest[$0] })
            if case .success(let checkpoint) = result { latest[checkpoint.origin] = checkpoint }
            return result
        }
        func status(_ result: Result<Checkpoint, WitnessRejection>) -> Int {
            switch result {
            case .success: 200
            case .failure(let rejection): rejection.status
            }
        }
        #expect(status(submit(.init(oldSize: 0, proof: [], note: try Self.note(size: 10)))) == 200)
        #expect(status(submit(.init(oldSize: 10, proof: Self.proof(from: 10, to: 25), note: try Self.note(size: 25)))) == 200)
        // A client that lost track learns the size with 409.
        let stale = submit(.init(oldSize: 10, proof: Self.proof(from: 10, to: 30), note: try Self.note(size: 30)))
        guard case .failure(let conflict) = stale else {
            Issue.record("a stale old size must conflict")
            return
        }
        #expect(conflict.status == 409 && conflict.knownSize == 25)
        // Rollback: smaller than what was cosigned.
        #expect(status(submit(.init(oldSize: 0, proof: [], note: try Self.note(size: 20)))) == 409)
        // A fork at the same size, and a rewritten history with a proof that cannot verify.
        #expect(status(submit(.init(oldSize: 25, proof: [], note: try Self.note(size: 25, forged: 3)))) == 409)
        #expect(status(submit(.init(oldSize: 25, proof: Self.proof(from: 25, to: 30), note: try Self.note(size: 30, forged: 3)))) == 422)
        // Unknown log, untrusted key, malformed requests.
        #expect(status(submit(.init(oldSize: 0, proof: [], note: try Self.note(size: 3, origin: "elsewhere.example/log")))) == 404)
        let impostor = try NoteSigner(name: "palisade.local", privateKey: .init())
        #expect(status(submit(.init(oldSize: 25, proof: Self.proof(from: 25, to: 30), note: try Self.note(size: 30, signer: impostor)))) == 403)
        #expect(status(submit(.init(oldSize: 31, proof: [], note: try Self.note(size: 30)))) == 400)
        #expect(throws: WitnessRejection.self) { try AddCheckpointRequest(parsing: Array("old 01\n\nx".utf8)) }
        #expect(throws: WitnessRejection.self) { try AddCheckpointRequest(parsing: Array("new 1\n\nx".utf8)) }
        // Nothing refused moved the witness: consistent growth from 25 is still cosigned.
        #expect(latest["palisade.local/default"]?.size == 25)
        #expect(status(submit(.init(oldSize: 25, proof: Self.proof(from: 25, to: 40), note: try Self.note(size: 40)))) == 200)
    }
}
