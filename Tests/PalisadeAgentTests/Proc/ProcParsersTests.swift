import Foundation
import PalisadeAgent
import Testing

/// The /proc parsers on text as the kernel writes it — including the shapes that trip naive
/// parsers (old kernels without MemAvailable, IPv6 and IPv4-mapped listeners, escaped mount
/// paths, counters going backwards after a reboot) — and on this machine's own /proc.
struct ProcParsersTests {
    @Test func cpuSharesAddUpAndARebootIsNotAReading() throws {
        let earlier = try CPUTimes(procStat: "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 12345\n")
        let later = try CPUTimes(procStat: "cpu  160 0 70 900 70 0 0 0 0 0\n")
        let shares = try #require(later.percentages(since: earlier))
        #expect(shares["user"] == 30 && shares["system"] == 10 && shares["idle"] == 50 && shares["iowait"] == 10)
        #expect(abs(shares.values.reduce(0, +) - 100) < 1e-9)
        #expect(earlier.percentages(since: later) == nil, "counters going backwards (a reboot) give no shares")
        #expect(later.percentages(since: later) == nil, "no tick passed")
        #expect(try CPUTimes(procStat: "cpu 1 2 3 4\n").ticks == [1, 2, 3, 4, 0, 0, 0, 0], "an old kernel's four fields")
        #expect(throws: ProcError.self) { try CPUTimes(procStat: "cpu0 1 2 3 4\n") }
        #expect(throws: ProcError.self) { try CPUTimes(procStat: "cpu  1 x 3 4\n") }
    }

    @Test func memoryPrefersMemAvailableAndFallsBackOnOldKernels() throws {
        let modern = try MemoryInfo(
            procMeminfo:
                "MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    6000000 kB\nBuffers:  100000 kB\nCached:  2000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\nHugePages_Total:       0\n"
        )
        #expect(modern.totalBytes == 8_000_000 * 1024 && modern.usedBytes == 2_000_000 * 1024 && modern.usedPercent == 25)
        #expect(modern.swapUsedBytes == 500_000 * 1024)
        let old = try MemoryInfo(procMeminfo: "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n")
        #expect(old.availableBytes == 500 * 1024 && old.usedPercent == 50)
        #expect(throws: ProcError.self) { try MemoryInfo(procMeminfo: "MemFree: 1 kB\n") }
    }

    @Test func loadAverageAndTasks() throws {
        let load = try LoadAverage(procLoadavg: "0.52 0.58 0.59 2/1234 5678\n")
        #expect(load.one == 0.52 && load.fifteen == 0.59 && load.running == 2 && load.tasks == 1234)
        #expect(throws: ProcError.self) { try LoadAverage(procLoadavg: "0.52 0.58\n") }
    }

    @Test func networkAndDiskRates() throws {
        let header =
            "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        let before = try NetworkCounters(
            procNetDev: header + "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n  eth0: 5000 50 1 0 0 0 0 0 2000 20 0 0 0 0 0 0\n"
        )
        let after = try NetworkCounters(
            procNetDev: header + "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n  eth0: 7000 70 1 0 0 0 0 0 2500 25 0 0 0 0 0 0\n"
        )
        let rates = after.rates(since: before, seconds: 2)
        #expect(rates["eth0"]?.received == 1000 && rates["eth0"]?.sent == 250 && rates["lo"]?.received == 0)
        #expect(before.rates(since: after, seconds: 2)["eth0"] == nil, "counters going backwards give no rate")
        #expect(throws: ProcError.self) { try NetworkCounters(procNetDev: header + "eth0: 1 2 3\n") }

        let disks = "   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0 0 0 0 0 0 0\n   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0\n"
        let earlier = try DiskCounters(procDiskstats: disks)
        #expect(Set(earlier.devices.keys) == ["sda"], "loop devices are left out")
        let later = try DiskCounters(procDiskstats: "   8       0 sda 110 0 2400 0 60 0 5000 0 0 0 0 0 0 0 0 0 0\n")
        let io = later.rates(since: earlier, seconds: 4)
        #expect(io["sda"]?.read == 400 * 512 / 4 && io["sda"]?.written == 1000 * 512 / 4)
    }

    @Test func listenersOfBothFamiliesAreDecoded() throws {
        let tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0
               2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 20 4 30 10 -1
            """
        let listeners = try TCPListener.parse(procNetTCP: tcp)
        #expect(
            listeners.map { "\($0.address):\($0.port)/\($0.inode)" } == ["127.0.0.1:8080/4242", "0.0.0.0:22/4343"],
            "an established socket is not a listener"
        )
        let tcp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
               1: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5252 1 0000000000000000 100 0 0 10 0
               2: 0000000000000000FFFF00000100007F:0CEA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5353 1 0000000000000000 100 0 0 10 0
            """
        #expect(try TCPListener.parse(procNetTCP: tcp6).map { "\($0.address):\($0.port)" } == [":::22", "::1:5432", "127.0.0.1:3306"])
        #expect(throws: ProcError.self) { try TCPListener.parse(procNetTCP: "header\n 0: XYZ:1 0:0 0A 0 0 0 0 0 0 1\n") }
    }

    @Test func mountsKeepDeviceFilesystemsOnceWithTheirRealPaths() {
        let mounts = Mount.parse(
            procMounts: """
                proc /proc proc rw,nosuid 0 0
                /dev/sda1 / ext4 rw,relatime 0 0
                tmpfs /run tmpfs rw 0 0
                /dev/sda1 /var/lib/docker/x ext4 rw 0 0
                /dev/sdb1 /srv/my\\040data xfs rw 0 0
                overlay /var/lib/docker/overlay2/merged overlay rw 0 0
                """
        )
        #expect(mounts == [Mount(device: "/dev/sda1", path: "/", type: "ext4"), Mount(device: "/dev/sdb1", path: "/srv/my data", type: "xfs")])
    }

    /// This machine's own /proc, read twice: every parser accepts the real thing, and the sample
    /// holds what a dashboard needs.
    @Test func thisHostIsReadAndSampled() async throws {
        let first = try HostReading.read()
        try await Task.sleep(for: .milliseconds(300))
        let second = try HostReading.read()
        let values = HostMetrics.sample(second, previous: first) { $0.usage() }
        let names = Set(values.map(\.name))
        for name in ["cpu_percent", "cpu_busy_percent", "load1", "memory_used_percent", "uptime_seconds", "network_received_bytes_per_second"] {
            #expect(names.contains(name), "\(name) is missing from \(names.sorted())")
        }
        let busy = try #require(values.first { $0.name == "cpu_busy_percent" }?.value)
        #expect((0...100).contains(busy))
        #expect(second.memory.totalBytes > 0 && second.uptimeSeconds >= first.uptimeSeconds)
        #expect(
            HostMetrics.sample(first, previous: nil) { $0.usage() }.allSatisfy { $0.name != "cpu_percent" },
            "no shares without a previous reading"
        )
    }
}
