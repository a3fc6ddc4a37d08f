import Foundation
import PalisadeSSH
import Testing

/// SSH's data types, identification lines, the unencrypted binary packet and KEXINIT: round trips,
/// and every malformed input refused with a reason instead of read past its end.
struct WireTests {
    @Test func dataTypesRoundTrip() throws {
        var writer = SSHWriter()
        writer.write(byte: 7)
        writer.write(bool: true)
        writer.write(uint32: 0xDEAD_BEEF)
        writer.write(uint64: 0x0102_0304_0506_0708)
        writer.write(text: "ssh-connection")
        writer.write(nameList: ["curve25519-sha256", "ext-info-c"])
        writer.write(mpint: [0x00, 0x80, 0x01])  // leading zero dropped, a zero added for the high bit
        writer.write(mpint: [0x7F])
        writer.write(mpint: [])
        var reader = SSHReader(writer.bytes)
        #expect(try reader.readByte() == 7)
        #expect(try reader.readBool())
        #expect(try reader.readUInt32() == 0xDEAD_BEEF)
        #expect(try reader.readUInt64() == 0x0102_0304_0506_0708)
        #expect(try reader.readText() == "ssh-connection")
        #expect(try reader.readNameList() == ["curve25519-sha256", "ext-info-c"])
        #expect(try reader.readMPInt().magnitude == [0x80, 0x01])
        #expect(try reader.readMPInt().magnitude == [0x7F])
        #expect(try reader.readMPInt().magnitude == [])
        #expect(reader.isAtEnd)
        // RFC 4251 §5's mpint examples.
        var example = SSHWriter()
        example.write(mpint: [0x80])
        #expect(example.bytes == [0, 0, 0, 2, 0x00, 0x80])
        example = SSHWriter()
        example.write(mpint: [0x09, 0xA3, 0x78, 0xF9, 0xB2, 0xE3, 0x32, 0xA7])
        #expect(example.bytes == [0, 0, 0, 8, 0x09, 0xA3, 0x78, 0xF9, 0xB2, 0xE3, 0x32, 0xA7])
    }

    @Test func malformedInputIsRefusedNotReadPastItsEnd() throws {
        var short = SSHReader([0, 0, 0, 9, 1, 2])
        #expect(throws: SSHWireError.self) { try short.readString() }
        var huge = SSHReader([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: SSHWireError.self) { try huge.readString() }
        for list in ["a b", "a\u{01}", "a,\u{7F}"] {
            var writer = SSHWriter()
            writer.write(text: list)
            var reader = SSHReader(writer.bytes)
            #expect(throws: SSHWireError.self, "\(list)") { try reader.readNameList() }
        }
        // Empty names (libssh's trailing comma) are passed over, as OpenSSH does.
        var trailing = SSHWriter()
        trailing.write(text: "curve25519-sha256,,ext-info-c,")
        var lenient = SSHReader(trailing.bytes)
        #expect(try lenient.readNameList() == ["curve25519-sha256", "ext-info-c"])
        var padded = SSHReader([0, 0, 0, 2, 0x00, 0x01])  // a needless leading zero
        #expect(throws: SSHWireError.self) { try padded.readMPInt() }
        var negative = SSHReader([0, 0, 0, 1, 0x80])
        #expect(throws: SSHWireError.self) { try negative.readMPInt() }
    }

    @Test func identificationLines() throws {
        let openssh = try Identification(parsing: Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r".utf8))
        #expect(openssh.softwareVersion == "OpenSSH_9.2p1" && openssh.comments == "Debian-2+deb12u10")
        #expect(openssh.line == Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n".utf8))
        #expect(try Identification(parsing: Array("SSH-1.99-paramiko_3.4".utf8)).protocolVersion == "1.99")
        do {
            _ = try Identification(parsing: Array("SSH-1.5-old".utf8))
            Issue.record("SSH-1.5 was accepted")
        } catch {
            #expect(error.reason == .protocolVersionNotSupported)
        }
        #expect(throws: SSHWireError.self) { try Identification(parsing: Array("GET / HTTP/1.1".utf8)) }
        #expect(throws: SSHWireError.self) { try Identification(parsing: Array(("SSH-2.0-" + String(repeating: "x", count: 260)).utf8)) }
        #expect(throws: SSHWireError.self) { try Identification(parsing: Array("SSH-2.0-".utf8)) }
    }

    @Test func plainPacketsAreFramedAndChecked() throws {
        let payload = ServerProfile.debian12.kexInit(cookie: Array(repeating: 0xAB, count: 16)).payload
        let packet = BinaryPacket.plain(payload) { Array(repeating: 0, count: $0) }
        #expect(packet.count % 8 == 0)
        let read = try #require(try BinaryPacket.readPlain(packet[...] + [1, 2, 3]))
        #expect(read.payload == payload && read.consumed == packet.count)
        #expect(try BinaryPacket.readPlain(packet.prefix(packet.count - 1)) == nil, "incomplete: wait for more")
        #expect(throws: SSHWireError.self) { try BinaryPacket.readPlain([0x7F, 0xFF, 0xFF, 0xF8, 4][...]) }
        #expect(throws: SSHWireError.self) { try BinaryPacket.readPlain([0, 0, 0, 12, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11][...]) }
    }

    @Test func theDebian12ProfileHasTheMeasuredHasshServer() throws {
        // ../shared/specs/openssh-profile-debian12.md: hasshServer 425d29fe50d8e4f5e37efb6e24bcf660.
        let kexInit = ServerProfile.debian12.kexInit(cookie: Array(repeating: 0, count: 16))
        #expect(HASSH.server(kexInit).hash == "425d29fe50d8e4f5e37efb6e24bcf660")
        #expect(try KexInit(payload: kexInit.payload) == kexInit)
        var trailing = kexInit.payload
        trailing.append(0)
        #expect(throws: SSHWireError.self) { try KexInit(payload: trailing) }
        // Leaving out what is not implemented keeps the order and the markers.
        let limited = ServerProfile.debian12.offering(only: ["curve25519-sha256", "ssh-ed25519", "aes128-ctr", "hmac-sha2-256", "none"])
        #expect(limited.kex == ["curve25519-sha256", "kex-strict-s-v00@openssh.com"] && limited.compression == ["none"])
    }
}
