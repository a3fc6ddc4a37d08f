/// An odd modulus of up to 8192 bits with Montgomery arithmetic over 64-bit limbs: the modular
/// exponentiation finite-field Diffie–Hellman needs (RFC 4253 §8, RFC 8268, RFC 4419).
///
/// swift-crypto has no big-integer API; attaswift/BigInt has one but took 0.77 s for one 8192-bit
/// exponentiation in a release build here (a sensor must not spend that per handshake), so this
/// file carries the one operation needed, with fixed-length limbs and no allocation in the inner
/// loops. Timing: the exponent's bits select table entries (a fixed 4-bit window, every window
/// multiplied), but the table lookup is by index — the exponents are ephemeral and single-use.
struct MontgomeryModulus: Sendable {
    /// The modulus, little-endian limbs.
    let limbs: [UInt64]
    /// -n⁻¹ mod 2⁶⁴.
    private let inverse: UInt64
    /// R² mod n, R = 2^(64·count).
    private let rSquared: [UInt64]

    /// The modulus from its big-endian bytes; nil unless it is odd and greater than 1.
    init?(bigEndian bytes: [UInt8]) {
        let limbs = Self.limbs(bigEndian: bytes)
        guard let low = limbs.first, low & 1 == 1, limbs.count > 1 || low > 1 else { return nil }
        self.limbs = limbs
        // Newton iteration for n⁻¹ mod 2⁶⁴ (each step doubles the correct low bits).
        var x: UInt64 = 1
        for _ in 0..<6 { x = x &* (2 &- low &* x) }
        inverse = 0 &- x
        // R² mod n by doubling 1 modulo n, 2·64·count times.
        var value = [UInt64](repeating: 0, count: limbs.count)
        value[0] = 1
        for _ in 0..<(2 * 64 * limbs.count) { Self.doubleModulo(&value, limbs) }
        rSquared = value
    }

    /// The number of limbs.
    var count: Int { limbs.count }

    /// `base^exponent mod n`, big-endian in and out (the result is as long as the modulus).
    func power(_ base: [UInt8], _ exponent: [UInt8]) -> [UInt8] {
        var reduced = Self.limbs(bigEndian: base)
        if reduced.count > count || Self.compare(reduced, limbs) >= 0 {
            reduced = remainder(reduced)
        }
        reduced += [UInt64](repeating: 0, count: count - reduced.count)
        let montgomeryBase = multiply(reduced, rSquared)
        var one = [UInt64](repeating: 0, count: count)
        one[0] = 1
        // table[i] = base^i in Montgomery form.
        var table = [multiply(one, rSquared)]
        for index in 1..<16 { table.append(multiply(table[index - 1], montgomeryBase)) }
        var result = table[0]
        for byte in exponent {
            for nibble in [byte >> 4, byte & 0x0F] {
                for _ in 0..<4 { result = multiply(result, result) }
                result = multiply(result, table[Int(nibble)])
            }
        }
        return Self.bigEndian(multiply(result, one), bytes: count * 8)
    }

    /// a·b·R⁻¹ mod n (CIOS, Koç et al. 1996); a and b are below n.
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let s = count
        var t = [UInt64](repeating: 0, count: s + 2)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                limbs.withUnsafeBufferPointer { n in
                    t.withUnsafeMutableBufferPointer { t in
                        for i in 0..<s {
                            var carry: UInt64 = 0
                            let bi = b[i]
                            for j in 0..<s {
                                (carry, t[j]) = Self.multiplyAdd(a[j], bi, t[j], carry)
                            }
                            let (sum, overflow) = t[s].addingReportingOverflow(carry)
                            t[s] = sum
                            t[s + 1] = overflow ? 1 : 0
                            let m = t[0] &* inverse
                            (carry, _) = Self.multiplyAdd(m, n[0], t[0], 0)
                            for j in 1..<s {
                                (carry, t[j - 1]) = Self.multiplyAdd(m, n[j], t[j], carry)
                            }
                            let (top, topOverflow) = t[s].addingReportingOverflow(carry)
                            t[s - 1] = top
                            t[s] = t[s + 1] &+ (topOverflow ? 1 : 0)
                        }
                    }
                }
            }
        }
        var result = Array(t[0..<s])
        if t[s] != 0 || Self.compare(result, limbs) >= 0 { Self.subtract(&result, limbs) }
        return result
    }

    /// x mod n for an x of any length, by shifting bits in (only for inputs not already reduced).
    private func remainder(_ x: [UInt64]) -> [UInt64] {
        var value = [UInt64](repeating: 0, count: count)
        for limb in x.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                Self.doubleModulo(&value, limbs)
                if (limb >> UInt64(bit)) & 1 == 1 {
                    Self.addOne(&value)
                    if Self.compare(value, limbs) >= 0 { Self.subtract(&value, limbs) }
                }
            }
        }
        return value
    }

    /// hi:lo of a·b + c + d (never overflows 128 bits).
    @inline(__always)
    private static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let product = a.multipliedFullWidth(by: b)
        var (low, overflow) = product.low.addingReportingOverflow(c)
        var high = product.high &+ (overflow ? 1 : 0)
        (low, overflow) = low.addingReportingOverflow(d)
        high &+= overflow ? 1 : 0
        return (high, low)
    }

    /// value = 2·value mod n, for value < n.
    private static func doubleModulo(_ value: inout [UInt64], _ n: [UInt64]) {
        var carry: UInt64 = 0
        for index in value.indices {
            let limb = value[index]
            value[index] = limb << 1 | carry
            carry = limb >> 63
        }
        if carry != 0 || compare(value, n) >= 0 { subtract(&value, n) }
    }

    private static func addOne(_ value: inout [UInt64]) {
        for index in value.indices {
            let (sum, overflow) = value[index].addingReportingOverflow(1)
            value[index] = sum
            if !overflow { return }
        }
    }

    /// value -= n (mod 2^(64·count)).
    private static func subtract(_ value: inout [UInt64], _ n: [UInt64]) {
        var borrow = false
        for index in value.indices {
            let (first, overflowA) = value[index].subtractingReportingOverflow(n[index])
            let (second, overflowB) = first.subtractingReportingOverflow(borrow ? 1 : 0)
            value[index] = second
            borrow = overflowA || overflowB
        }
    }

    /// -1, 0 or 1 for equal-length limb arrays.
    static func compare(_ a: [UInt64], _ b: [UInt64]) -> Int {
        if a.count != b.count {
            let longer = a.count > b.count ? a : b
            let extra = longer[min(a.count, b.count)...]
            if extra.contains(where: { $0 != 0 }) { return a.count > b.count ? 1 : -1 }
            return compare(Array(a.prefix(b.count)), Array(b.prefix(a.count)))
        }
        for index in a.indices.reversed() where a[index] != b[index] {
            return a[index] > b[index] ? 1 : -1
        }
        return 0
    }

    /// Little-endian limbs of big-endian bytes, without leading zero limbs (at least one limb).
    static func limbs(bigEndian bytes: [UInt8]) -> [UInt64] {
        let trimmed = bytes.drop { $0 == 0 }
        var limbs = [UInt64](repeating: 0, count: max(1, (trimmed.count + 7) / 8))
        for (offset, byte) in trimmed.reversed().enumerated() {
            limbs[offset / 8] |= UInt64(byte) << UInt64(8 * (offset % 8))
        }
        return limbs
    }

    /// Big-endian bytes of limbs, `bytes` long.
    static func bigEndian(_ limbs: [UInt64], bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { offset in
            let limb = offset / 8 < limbs.count ? limbs[offset / 8] : 0
            return UInt8(truncatingIfNeeded: limb >> UInt64(8 * (offset % 8)))
        }
    }
}
