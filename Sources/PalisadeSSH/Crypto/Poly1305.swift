/// Poly1305 (RFC 8439 §2.5), the one-time authenticator of `chacha20-poly1305@openssh.com`, which
/// swift-crypto does not expose on its own: 130-bit arithmetic in five 26-bit limbs (the
/// well-known 32-bit construction), constant time in the key and message.
public enum Poly1305 {
    /// The 16-byte tag of `message` under a 32-byte one-time key (r ‖ s).
    ///
    /// - Precondition: `key` is 32 bytes.
    public static func tag(for message: some Collection<UInt8>, key: [UInt8]) -> [UInt8] {
        precondition(key.count == 32, "a Poly1305 key is 32 bytes")
        let mask: UInt32 = 0x3ff_ffff
        let r0 = load(key, 0) & 0x3ff_ffff
        let r1 = (load(key, 3) >> 2) & 0x3ff_ff03
        let r2 = (load(key, 6) >> 4) & 0x3ff_c0ff
        let r3 = (load(key, 9) >> 6) & 0x3f0_3fff
        let r4 = (load(key, 12) >> 8) & 0x00f_ffff
        let (s1, s2, s3, s4) = (r1 &* 5, r2 &* 5, r3 &* 5, r4 &* 5)
        var (h0, h1, h2, h3, h4): (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)

        var block = [UInt8](repeating: 0, count: 17)
        var index = message.startIndex
        while index != message.endIndex {
            var count = 0
            while count < 16 && index != message.endIndex {
                block[count] = message[index]
                count += 1
                index = message.index(after: index)
            }
            let hibit: UInt32
            if count == 16 {
                hibit = 1 << 24
            } else {
                // A final partial block: a 1 byte after the message, then zeros, no high bit.
                block[count] = 1
                for position in (count + 1)..<17 { block[position] = 0 }
                hibit = 0
            }
            h0 = h0 &+ (load(block, 0) & mask)
            h1 = h1 &+ ((load(block, 3) >> 2) & mask)
            h2 = h2 &+ ((load(block, 6) >> 4) & mask)
            h3 = h3 &+ ((load(block, 9) >> 6) & mask)
            h4 = h4 &+ ((load(block, 12) >> 8) | hibit)

            let d0 = product(h0, r0) &+ product(h1, s4) &+ product(h2, s3) &+ product(h3, s2) &+ product(h4, s1)
            var d1 = product(h0, r1) &+ product(h1, r0) &+ product(h2, s4) &+ product(h3, s3) &+ product(h4, s2)
            var d2 = product(h0, r2) &+ product(h1, r1) &+ product(h2, r0) &+ product(h3, s4) &+ product(h4, s3)
            var d3 = product(h0, r3) &+ product(h1, r2) &+ product(h2, r1) &+ product(h3, r0) &+ product(h4, s4)
            var d4 = product(h0, r4) &+ product(h1, r3) &+ product(h2, r2) &+ product(h3, r1) &+ product(h4, r0)
            var carry = UInt32(truncatingIfNeeded: d0 >> 26)
            h0 = UInt32(truncatingIfNeeded: d0) & mask
            d1 &+= UInt64(carry)
            carry = UInt32(truncatingIfNeeded: d1 >> 26)
            h1 = UInt32(truncatingIfNeeded: d1) & mask
            d2 &+= UInt64(carry)
            carry = UInt32(truncatingIfNeeded: d2 >> 26)
            h2 = UInt32(truncatingIfNeeded: d2) & mask
            d3 &+= UInt64(carry)
            carry = UInt32(truncatingIfNeeded: d3 >> 26)
            h3 = UInt32(truncatingIfNeeded: d3) & mask
            d4 &+= UInt64(carry)
            carry = UInt32(truncatingIfNeeded: d4 >> 26)
            h4 = UInt32(truncatingIfNeeded: d4) & mask
            h0 = h0 &+ carry &* 5
            carry = h0 >> 26
            h0 &= mask
            h1 = h1 &+ carry
        }

        // Fully carry h.
        var carry = h1 >> 26
        h1 &= mask
        h2 = h2 &+ carry
        carry = h2 >> 26
        h2 &= mask
        h3 = h3 &+ carry
        carry = h3 >> 26
        h3 &= mask
        h4 = h4 &+ carry
        carry = h4 >> 26
        h4 &= mask
        h0 = h0 &+ carry &* 5
        carry = h0 >> 26
        h0 &= mask
        h1 = h1 &+ carry

        // g = h + 5 - 2^130; take g when it is not negative, h otherwise, without a branch.
        var g0 = h0 &+ 5
        carry = g0 >> 26
        g0 &= mask
        var g1 = h1 &+ carry
        carry = g1 >> 26
        g1 &= mask
        var g2 = h2 &+ carry
        carry = g2 >> 26
        g2 &= mask
        var g3 = h3 &+ carry
        carry = g3 >> 26
        g3 &= mask
        var g4 = h4 &+ carry &- (1 << 26)
        var select = (g4 >> 31) &- 1  // all ones when g4 did not go below zero
        g0 &= select
        g1 &= select
        g2 &= select
        g3 &= select
        g4 &= select
        select = ~select
        h0 = (h0 & select) | g0
        h1 = (h1 & select) | g1
        h2 = (h2 & select) | g2
        h3 = (h3 & select) | g3
        h4 = (h4 & select) | g4

        // h mod 2^128, plus s.
        let w0 = h0 | (h1 << 26)
        let w1 = (h1 >> 6) | (h2 << 20)
        let w2 = (h2 >> 12) | (h3 << 14)
        let w3 = (h3 >> 18) | (h4 << 8)
        var sum = UInt64(w0) &+ UInt64(load(key, 16))
        let t0 = UInt32(truncatingIfNeeded: sum)
        sum = UInt64(w1) &+ UInt64(load(key, 20)) &+ (sum >> 32)
        let t1 = UInt32(truncatingIfNeeded: sum)
        sum = UInt64(w2) &+ UInt64(load(key, 24)) &+ (sum >> 32)
        let t2 = UInt32(truncatingIfNeeded: sum)
        sum = UInt64(w3) &+ UInt64(load(key, 28)) &+ (sum >> 32)
        let t3 = UInt32(truncatingIfNeeded: sum)
        var tag = [UInt8]()
        tag.reserveCapacity(16)
        for word in [t0, t1, t2, t3] {
            tag += [UInt8(word & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word >> 16 & 0xFF), UInt8(word >> 24)]
        }
        return tag
    }

    /// Whether `tag` is the tag of `message`, compared in constant time.
    public static func verify(_ tag: some Collection<UInt8>, for message: some Collection<UInt8>, key: [UInt8]) -> Bool {
        let expected = Self.tag(for: message, key: key)
        guard tag.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(tag, expected) { difference |= a ^ b }
        return difference == 0
    }

    @inline(__always) private static func load(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    @inline(__always) private static func product(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) &* UInt64(b) }
}
