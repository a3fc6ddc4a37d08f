extension String {
    /// Lower-cased as Sigma compares strings: ASCII text (the common case) without Foundation or
    /// allocation when it has no capitals, anything else with the standard library's full mapping.
    var sigmaFolded: String {
        var isASCII = true
        var hasCapital = false
        for byte in utf8 {
            if byte >= 0x80 {
                isASCII = false
                break
            }
            if byte >= 0x41 && byte <= 0x5A { hasCapital = true }
        }
        guard isASCII else { return lowercased() }
        guard hasCapital else { return self }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
