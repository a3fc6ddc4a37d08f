/// Shamir's secret sharing over GF(2⁸), byte by byte — the construction HashiCorp Vault uses for
/// its unseal keys: each byte of the secret is the constant term of its own random polynomial of
/// degree `threshold - 1`, and a share is the polynomials' values at one non-zero point.
///
/// Any `threshold` shares give the secret back; fewer give no information about it. Combining too
/// few shares does not fail — it yields a wrong value — so whoever combines must check the result
/// (the vault opens its sealed data-encryption key with it, which authenticates).
///
/// The field arithmetic has no secret-dependent branches or table lookups.
public enum Shamir {
    /// One share: the point `x` (1…255) and the secret's polynomials evaluated there.
    public struct Share: Hashable, Sendable {
        /// The evaluation point, never 0 (the secret's own point).
        public let x: UInt8
        /// One value per byte of the secret.
        public let y: [UInt8]

        /// A share from its parts.
        public init(x: UInt8, y: [UInt8]) {
            self.x = x
            self.y = y
        }

        /// Vault's layout: the values, then the point.
        public var bytes: [UInt8] { y + [x] }

        /// Reads Vault's layout (at least one value byte, then a non-zero point).
        public init(bytes: [UInt8]) throws(ShamirError) {
            guard bytes.count >= 2, let point = bytes.last, point != 0 else { throw .malformedShare }
            self.init(x: point, y: Array(bytes.dropLast()))
        }
    }

    /// The most shares a secret can be split into (the field's non-zero points).
    public static let maxParts = 255

    /// Splits `secret` into `parts` shares of which any `threshold` reconstruct it.
    ///
    /// - Throws: ``ShamirError`` when the secret is empty, the threshold is below 2 or above the
    ///   number of parts, or there are more than 255 parts.
    public static func split(
        _ secret: [UInt8],
        parts: Int,
        threshold: Int,
        using generator: inout some RandomNumberGenerator
    ) throws(ShamirError) -> [Share] {
        guard !secret.isEmpty else { throw .emptySecret }
        guard threshold >= 2, threshold <= parts, parts <= maxParts else {
            throw .badParameters(parts: parts, threshold: threshold)
        }
        // Distinct random points, so that a share's point tells nothing about the others'.
        var points = Array(UInt8(1)...UInt8(255))
        points.shuffle(using: &generator)
        let xs = Array(points.prefix(parts))
        var ys = [[UInt8]](repeating: [UInt8](repeating: 0, count: secret.count), count: parts)
        var coefficients = [UInt8](repeating: 0, count: threshold)
        for (index, byte) in secret.enumerated() {
            coefficients[0] = byte
            for degree in 1..<threshold { coefficients[degree] = generator.next() }
            for share in 0..<parts { ys[share][index] = evaluate(coefficients, at: xs[share]) }
        }
        for degree in coefficients.indices { coefficients[degree] = 0 }
        return (0..<parts).map { Share(x: xs[$0], y: ys[$0]) }
    }

    /// The secret whose shares these are (Lagrange interpolation at 0).
    ///
    /// - Throws: ``ShamirError`` when there are fewer than two shares, two share a point, or their
    ///   lengths differ.
    public static func combine(_ shares: [Share]) throws(ShamirError) -> [UInt8] {
        guard shares.count >= 2 else { throw .tooFewShares(shares.count) }
        let length = shares[0].y.count
        guard length > 0, shares.allSatisfy({ $0.y.count == length }) else { throw .mismatchedShares }
        guard Set(shares.map(\.x)).count == shares.count, !shares.contains(where: { $0.x == 0 }) else {
            throw .duplicatePoints
        }
        // Each share's Lagrange basis polynomial at 0: Π x_j / (x_j − x_i), subtraction being XOR.
        let basis = shares.indices.map { i -> UInt8 in
            var value: UInt8 = 1
            for j in shares.indices where j != i {
                value = GF256.multiply(value, GF256.divide(shares[j].x, shares[j].x ^ shares[i].x))
            }
            return value
        }
        var secret = [UInt8](repeating: 0, count: length)
        for index in 0..<length {
            var byte: UInt8 = 0
            for (share, weight) in zip(shares, basis) { byte ^= GF256.multiply(share.y[index], weight) }
            secret[index] = byte
        }
        return secret
    }

    /// Horner's rule.
    private static func evaluate(_ coefficients: [UInt8], at x: UInt8) -> UInt8 {
        var result: UInt8 = 0
        for coefficient in coefficients.reversed() { result = GF256.multiply(result, x) ^ coefficient }
        return result
    }
}

/// Why shares could not be made or combined.
public enum ShamirError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing to split.
    case emptySecret
    /// The threshold must be 2…parts and the parts at most 255.
    case badParameters(parts: Int, threshold: Int)
    /// At least two shares are needed.
    case tooFewShares(Int)
    /// Shares of different secrets (their lengths differ).
    case mismatchedShares
    /// The same share twice (or a share at point 0).
    case duplicatePoints
    /// Not a share in Vault's layout.
    case malformedShare

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .emptySecret: "there is no secret to split"
        case .badParameters(let parts, let threshold):
            "cannot split into \(parts) shares with threshold \(threshold): use 2 ≤ threshold ≤ shares ≤ 255"
        case .tooFewShares(let count): "\(count) share(s) given; at least the threshold (and never fewer than 2) are needed"
        case .mismatchedShares: "the shares are of different lengths: they are not shares of one secret"
        case .duplicatePoints: "the same share was given twice"
        case .malformedShare: "this is not a recovery share (expected its bytes as printed by `palisade vault init`)"
        }
    }
}

/// Arithmetic in GF(2⁸) with the AES polynomial x⁸ + x⁴ + x³ + x + 1, without branches or
/// lookups that depend on the values.
enum GF256 {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        for _ in 0..<8 {
            product ^= a & (0 &- (b & 1))
            let carry = a >> 7
            a = (a << 1) ^ (0x1B & (0 &- carry))
            b >>= 1
        }
        return product
    }

    /// a⁻¹ = a²⁵⁴ (0 for 0, never asked for).
    static func inverse(_ a: UInt8) -> UInt8 {
        var result: UInt8 = 1
        var base = a
        var exponent = 254
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    static func divide(_ a: UInt8, _ b: UInt8) -> UInt8 { multiply(a, inverse(b)) }
}
