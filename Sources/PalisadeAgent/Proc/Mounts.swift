/// The mounted filesystems worth watching, from /proc/self/mounts: block-device filesystems
/// (ext2-4, xfs, btrfs, zfs, f2fs, vfat, exfat, ntfs…) — not proc, sysfs, cgroup, tmpfs, overlay
/// layers or other virtual ones — each once (the first mount of a device).
public struct Mount: Hashable, Sendable {
    /// The device (`/dev/sda1`).
    public let device: String
    /// Where it is mounted.
    public let path: String
    /// The filesystem type.
    public let type: String

    /// A mount.
    public init(device: String, path: String, type: String) {
        self.device = device
        self.path = path
        self.type = type
    }

    /// Filesystem types that hold data on a device.
    public static let deviceTypes: Set<String> = [
        "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "vfat", "exfat", "ntfs", "ntfs3", "jfs", "reiserfs",
    ]

    /// Parses /proc/self/mounts (`device path type options dump pass`, spaces in paths as `\040`).
    public static func parse(procMounts text: String) -> [Mount] {
        var seen = Set<String>()
        var mounts = [Mount]()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, deviceTypes.contains(String(fields[2])) else { continue }
            let device = unescape(fields[0])
            guard seen.insert(device).inserted else { continue }
            mounts.append(Mount(device: device, path: unescape(fields[1]), type: String(fields[2])))
        }
        return mounts
    }

    /// Undoes the kernel's octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash).
    static func unescape(_ field: Substring) -> String {
        var bytes = [UInt8]()
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
