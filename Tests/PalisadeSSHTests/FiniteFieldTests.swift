import Foundation
import PalisadeTesting
import Testing

@testable import PalisadeSSH

/// Finite-field Diffie–Hellman's parts, each checked by an independent party: RFC 3526's primes
/// recomputed by Python from the RFC's formula, Palisade's Montgomery exponentiation against
/// Python's `pow`, the range checks of RFC 4253 §8, and sshd's choice of a group-exchange prime.
struct FiniteFieldTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    @Test func theGroupsAreRFC3526sPrimes() throws {
        // p = 2^n − 2^(n−64) − 1 + 2^64·(⌊2^(n−130)·π⌋ + k), π by Machin's formula in integers.
        let script = """
            import sys
            def pi_fixed(bits):
                one = 1 << (bits + 64)
                def atan_inv(x):
                    total = term = one // x; n = 1; sign = -1
                    while term:
                        term //= x * x; n += 2; total += sign * (term // n); sign = -sign
                    return total
                return (16 * atan_inv(5) - 4 * atan_inv(239)) >> 64
            for n, k in [(2048, 124476), (4096, 240904), (8192, 4743158)]:
                print('%X' % (2**n - 2**(n - 64) - 1 + 2**64 * (pi_fixed(n - 130) + k)))
            """
        let result = try ExternalProcess.python(script: script)
        let expected = result.stdout.split(separator: "\n").map(String.init)
        let groups = [DiffieHellmanGroup.group14, .group16, .group18]
        #expect(expected.count == 3, "\(result.stderr)")
        for (group, prime) in zip(groups, expected) {
            #expect(Self.hex(group.prime) == prime, "the \(group.bits)-bit group")
            #expect(group.prime.count * 8 == group.bits && group.generator == [2])
        }
    }

    @Test func modularExponentiationAgreesWithPython() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        var cases: [[String]] = []
        for bytes in [8, 16, 129, 256, 512, 1_024] {
            var modulus = random(bytes)
            modulus[modulus.count - 1] |= 1
            modulus[0] |= 0x80
            let montgomery = try #require(MontgomeryModulus(bigEndian: modulus))
            for baseBytes in [1, bytes - 1, bytes, bytes + 9] {
                let base = random(baseBytes)
                let exponent = random(64)
                let result = montgomery.power(base, exponent)
                cases.append([Self.hex(base), Self.hex(exponent), Self.hex(modulus), Self.hex(result)])
            }
        }
        let script = """
            import json, sys
            wrong = [c for c in json.load(sys.stdin) if pow(int(c[0], 16), int(c[1], 16), int(c[2], 16)) != int(c[3], 16)]
            print(f"{len(wrong)} wrong")
            """
        let result = try ExternalProcess.python(script: script, input: try JSONEncoder().encode(cases))
        #expect(result.stdout == "0 wrong\n", "\(result.stdout)\(result.stderr)")
        #expect(MontgomeryModulus(bigEndian: [0x10, 0x00]) == nil && MontgomeryModulus(bigEndian: [1]) == nil, "even moduli and 1 are refused")
    }

    @Test func bothSidesOfAnExchangeAgreeAndOutOfRangeValuesAreRefused() throws {
        let group = DiffieHellmanGroup.group14
        var generator = SystemRandomNumberGenerator()
        let random = { (count: Int) in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let server = FiniteFieldExchange(group: group, exponentBits: 512, random: random)
        let clientExponent = random(64)
        let e = group.modulus.power(group.generator, clientExponent)
        let secret = try server.sharedSecret(clientPublic: e)
        #expect(secret == group.modulus.power(server.serverPublic, clientExponent))
        var pMinusOne = group.prime
        pMinusOne[pMinusOne.count - 1] -= 1
        var pPlusOne = group.prime
        pPlusOne[pPlusOne.count - 1] = 0  // p ends in 0xFF: p + 1 ends in 0x00 with a carry
        pPlusOne[pPlusOne.count - 2] &+= 1
        for bad in [[0], [1], [2], [0x80, 0, 0], pMinusOne, group.prime, [1] + pPlusOne] {
            #expect(throws: SSHWireError.self, "\(Self.hex(bad).prefix(16))…") { try server.sharedSecret(clientPublic: bad) }
        }
    }

    /// moduli(5) lines for RFC 3526's primes (sizes are written one bit short, as ssh-keygen does).
    static func moduliLine(_ group: DiffieHellmanGroup, type: Int = 2, tests: Int = 6, size: Int? = nil) -> String {
        "20230801000000 \(type) \(tests) 100 \(size ?? group.bits - 1) 2 \(hex(group.prime))"
    }

    @Test func groupExchangeChoosesAsSshdDoes() throws {
        let text = [
            "#    $OpenBSD: moduli,v 1.33 $", Self.moduliLine(.group14), Self.moduliLine(.group16), Self.moduliLine(.group16, type: 1),
            Self.moduliLine(.group14, tests: 1), Self.moduliLine(.group14, tests: 0), Self.moduliLine(.group16, size: 4_000), "not a line",
        ].joined(separator: "\n")
        let moduli = ModuliFile(text: text)
        #expect(moduli.count == 2, "only safe primes that passed a test and match their size")
        let first = { (_: Int) in 0 }
        #expect(moduli.choose(minimum: 2_048, preferred: 3_072, maximum: 8_192, random: first).bits == 4_096)
        #expect(moduli.choose(minimum: 2_048, preferred: 8_192, maximum: 8_192, random: first).bits == 4_096, "the largest below")
        #expect(moduli.choose(minimum: 2_048, preferred: 2_048, maximum: 3_000, random: first).bits == 2_048)
        // None in range: OpenSSH's fallback by the maximum.
        #expect(moduli.choose(minimum: 6_000, preferred: 7_000, maximum: 8_192, random: first).prime == DiffieHellmanGroup.group18.prime)
        #expect(ModuliFile.none.choose(minimum: 2_048, preferred: 3_072, maximum: 4_096, random: first).prime == DiffieHellmanGroup.group16.prime)
    }

    @Test func opensshCompletesGroupExchangeWithAModuliFilesGroup() async throws {
        let moduli = ModuliFile(text: Self.moduliLine(.group16))
        let server = try await TestSSHServer(configure: { $0.moduli = moduli })
        let result = try await ExternalProcess.runDetached(
            "/usr/bin/env",
            [
                "ssh", "-vv", "-F", "/dev/null", "-p", "\(server.port)", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "KexAlgorithms=diffie-hellman-group-exchange-sha256",
                "admin@127.0.0.1", "true",
            ]
        )
        #expect(result.stderr.contains("SSH2_MSG_KEX_DH_GEX_REQUEST(2048<8192<8192) sent"), "\(result.stderr)")
        #expect(result.stderr.contains("Permission denied (publickey,password)."), "\(result.stderr)")
        try await server.stop()
    }
}
