import Foundation
import PalisadeAgent
import Testing

/// Logged-in users from utmp records laid out as glibc writes them, and the host's system facts.
struct HostFactsTests {
    /// One 384-byte utmp record.
    static func record(type: Int16, user: String, line: String, host: String, seconds: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 384)
        func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { bytes[offset + index] = byte } }
        withUnsafeBytes(of: type.littleEndian) { for (index, byte) in $0.enumerated() { bytes[index] = byte } }
        put(line, at: 8)
        put(user, at: 44)
        put(host, at: 76)
        withUnsafeBytes(of: seconds.littleEndian) { for (index, byte) in $0.enumerated() { bytes[340 + index] = byte } }
        return bytes
    }

    @Test func onlyUserProcessesAreLoggedInUsers() {
        let utmp =
            Self.record(type: 2, user: "reboot", line: "~", host: "6.1.0", seconds: 1_700_000_000)
            + Self.record(type: 7, user: "carol", line: "pts/1", host: "203.0.113.9", seconds: 1_700_000_600)
            + Self.record(type: 7, user: "alice", line: "tty1", host: "", seconds: 1_700_000_100)
            + Self.record(type: 8, user: "bob", line: "pts/0", host: "198.51.100.7", seconds: 1_700_000_200)
            + [1, 2, 3]
        #expect(
            LoggedInUser.parse(utmp: utmp) == [
                LoggedInUser(user: "alice", line: "tty1", host: "", loginSeconds: 1_700_000_100),
                LoggedInUser(user: "carol", line: "pts/1", host: "203.0.113.9", loginSeconds: 1_700_000_600),
            ],
            "boot records and dead processes are not users; a partial record is ignored"
        )
    }

    @Test func systemFactsFromTheirFiles() throws {
        let info = SystemInfo(
            osRelease: "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n",
            kernel: "6.1.0-26-amd64\n",
            cpuinfo: "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n",
            memory: try MemoryInfo(procMeminfo: "MemTotal: 2048 kB\n"),
            hostname: "web-1\n"
        )
        #expect(info.operatingSystem == "Debian GNU/Linux 12 (bookworm)" && info.kernel == "6.1.0-26-amd64")
        #expect(info.cpuModel == "AMD EPYC 7B13" && info.cpuCount == 2 && info.memoryBytes == 2048 * 1024 && info.hostname == "web-1")
    }
}
