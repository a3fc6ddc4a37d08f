import PalisadeCore

/// A terminal session in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header
/// line (version, size, start time, TERM and SHELL), then `[seconds, "o" | "i", text]` lines for
/// what the shell printed and what was typed — replayable with the asciinema player. Capped: past
/// `maxBytes` the recording ends with a marker line and keeps only its duration.
struct SessionRecording {
    /// The file name: session id and channel.
    let name: String
    private var text: [UInt8]
    private let started: Double
    private let maxBytes: Int
    private(set) var truncated = false
    private(set) var lastTime = 0.0

    init(name: String, columns: UInt32, rows: UInt32, terminal: String, startedAt unixSeconds: Double, maxBytes: Int = 1 << 20) {
        self.name = name
        started = unixSeconds
        self.maxBytes = maxBytes
        let header: JSONValue = .object([
            "version": .number(2), "width": .number(Double(columns == 0 ? 80 : columns)), "height": .number(Double(rows == 0 ? 24 : rows)),
            "timestamp": .number(unixSeconds.rounded(.down)),
            "env": .object(["TERM": .string(terminal.isEmpty ? "xterm" : terminal), "SHELL": .string("/bin/bash")]),
        ])
        text = CanonicalJSON.encode(header) + [0x0A]
    }

    /// Adds what was printed (`o`) or typed (`i`) at `unixSeconds`.
    mutating func add(_ kind: String, _ bytes: [UInt8], at unixSeconds: Double) {
        guard !bytes.isEmpty, !truncated else { return }
        lastTime = max(lastTime, ((unixSeconds - started) * 1_000_000).rounded() / 1_000_000)
        let line = CanonicalJSON.encode(.array([.number(lastTime), .string(kind), .string(String(decoding: bytes, as: UTF8.self))])) + [0x0A]
        if text.count + line.count > maxBytes {
            truncated = true
            text += CanonicalJSON.encode(.array([.number(lastTime), .string("o"), .string("\r\n[recording truncated]\r\n")])) + [0x0A]
            return
        }
        text += line
    }

    /// The file's bytes.
    var contents: [UInt8] { text }
}
