/// The safe primes of an OpenSSH moduli file (`/etc/ssh/moduli`, moduli(5)), from which
/// diffie-hellman-group-exchange picks a group the way sshd does — so a sensor on a host with
/// Debian's file hands out the same kind of primes a real server there would.
public struct ModuliFile: Sendable {
    /// The usable groups, in file order.
    let groups: [DiffieHellmanGroup]

    /// No groups: every request gets OpenSSH's RFC 3526 fallback.
    public static let none = ModuliFile(groups: [])

    private init(groups: [DiffieHellmanGroup]) { self.groups = groups }

    /// Parses moduli(5) text: `time type tests trials size generator modulus`, keeping safe primes
    /// (type 2) that passed a primality test and whose size matches their modulus, as sshd does.
    public init(text: String) {
        var groups: [DiffieHellmanGroup] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 7, fields[1] == "2",
                let tests = UInt32(fields[2]), tests & 0x01 == 0, tests & ~0x01 != 0,
                let trials = UInt32(fields[3]), trials != 0,
                let size = Int(fields[4]), (2_047...8_191).contains(size),
                let generator = Self.bytes(hex: fields[5]), let prime = Self.bytes(hex: fields[6]),
                let first = prime.first, first != 0, prime.count * 8 - first.leadingZeroBitCount == size + 1,
                let group = DiffieHellmanGroup(bits: size + 1, prime: prime, generator: generator)
            else { continue }
            groups.append(group)
        }
        self.groups = groups
    }

    /// The number of usable groups.
    public var count: Int { groups.count }

    /// sshd's choice (dh.c, `choose_dh`): among groups within `minimum...maximum`, the smallest
    /// size at or above `preferred` (else the largest below it), one of that size at random; the
    /// RFC 3526 fallback when none fits.
    func choose(minimum: Int, preferred: Int, maximum: Int, random: (Int) -> Int) -> DiffieHellmanGroup {
        var best = 0
        for group in groups where (minimum...maximum).contains(group.bits) {
            if (group.bits > preferred && group.bits < best) || (group.bits > best && best < preferred) { best = group.bits }
        }
        let candidates = groups.filter { $0.bits == best }
        guard !candidates.isEmpty else { return .fallback(maximum: maximum) }
        return candidates[random(candidates.count)]
    }

    /// The bytes of hexadecimal digits (an odd count gets a leading zero); nil for a non-digit.
    static func bytes(hex: Substring) -> [UInt8]? {
        var digits = Array(hex.utf8)
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
