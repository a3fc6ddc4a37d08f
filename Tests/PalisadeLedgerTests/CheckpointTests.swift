import Crypto
import Foundation
import PalisadeLedger
import Testing

struct CheckpointTests {
    static let signer = try! NoteSigner(name: "palisade.test", privateKey: Curve25519.Signing.PrivateKey())

    @Test func checkpointTextRoundTrips() throws {
        let checkpoint = Checkpoint(origin: "palisade.test/acme", size: 42, rootHash: RFC9162.emptyRoot)
        #expect(checkpoint.text == "palisade.test/acme\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        #expect(try Checkpoint(parsing: checkpoint.text) == checkpoint)
    }

    @Test(arguments: [
        "a\n042\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", "a\n1\nAAAA\n", "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", "a\n1\n",
    ])
    func malformedCheckpointsThrow(text: String) {
        #expect(throws: LedgerError.self) { try Checkpoint(parsing: text) }
    }

    @Test func signedNotesVerifyAndTamperingIsCaught() throws {
        let text = Checkpoint(origin: "palisade.test/acme", size: 7, rootHash: RFC9162.leafHash(of: [1])).text
        let note = try Self.signer.sign(text)
        let reparsed = try SignedNote(parsing: note.serialized)
        #expect(reparsed == note)
        #expect(Self.signer.verifier.verify(reparsed) == .verified(text: text))

        let tampered = try SignedNote(parsing: note.serialized.replacingOccurrences(of: "\n7\n", with: "\n8\n"))
        #expect(Self.signer.verifier.verify(tampered) == .invalid(.badSignature(keyName: "palisade.test")))

        let stranger = try NoteSigner(name: "palisade.test", privateKey: Curve25519.Signing.PrivateKey())
        #expect(stranger.verifier.verify(note) == .invalid(.noTrustedSignature(keyName: "palisade.test")))
    }

    @Test func keysRoundTripThroughTheirStringForms() throws {
        let parsed = try NoteSigner(parsing: Self.signer.privateKeyString)
        #expect(parsed.verifier == Self.signer.verifier)
        #expect(try NoteVerifier(parsing: Self.signer.verifier.vkey) == Self.signer.verifier)
        // Many keys, so some have '+' in their base64 form.
        for _ in 0..<50 {
            let signer = try NoteSigner(name: "k", privateKey: Curve25519.Signing.PrivateKey())
            #expect(try NoteVerifier(parsing: signer.verifier.vkey) == signer.verifier)
            #expect(try NoteSigner(parsing: signer.privateKeyString).verifier == signer.verifier)
        }
        var wrongID = Self.signer.verifier.vkey.split(separator: "+", maxSplits: 2).map(String.init)
        wrongID[1] = "00000000"
        #expect(throws: LedgerError.self) { try NoteVerifier(parsing: wrongID.joined(separator: "+")) }
    }

    @Test(arguments: ["no blank line\n— a AAAA\n", "text\n\n- a AAAAAAAA\n", "text\n\n— a !!!!\n", "text\n\n", "te\u{7}xt\n\n— a AAAAAAAA\n"])
    func malformedNotesThrow(text: String) {
        #expect(throws: LedgerError.self) { try SignedNote(parsing: text) }
    }

    @Test func base64IsStrict() {
        #expect(Base64.decode("AAE=") == [0, 1])
        #expect(Base64.decode("AAF=") == nil)  // non-zero padding bits
        #expect(Base64.decode("AAE") == nil)
        #expect(Base64.decode("A-E=") == nil)
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }
}
