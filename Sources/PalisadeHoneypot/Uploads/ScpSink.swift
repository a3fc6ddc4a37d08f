/// The receiving end of the classic SCP protocol (`scp -t`, what `scp -O` and many bots run):
/// control lines `C<mode> <size> <name>`, `D…`/`E` for directories and `T…` times, each answered
/// with a zero byte; file bytes follow a C line. Pure and bounded: a control line over 1 KiB or one
/// that does not parse ends the transfer with SCP's error byte.
struct ScpSink {
    /// What one ``receive(_:)`` produced.
    struct Step {
        /// Bytes to send back.
        var reply: [UInt8] = []
        /// Files completed.
        var files: [ReceivedFile] = []
        /// Set when the transfer failed (the message sent, after a 0x01 byte).
        var failure: String?
    }

    private enum State {
        case control
        case data(StreamedUpload, remaining: Int)
        case trailer(StreamedUpload)
        case failed
    }

    /// The target given to `scp -t`.
    let target: String
    /// Whether the target is a directory (`-d`, `-r`, or a trailing slash).
    let targetIsDirectory: Bool
    private let cap: Int
    private var state = State.control
    private var line: [UInt8] = []
    private var directories: [String] = []

    /// A sink for `scp -t [flags] target`.
    init(arguments: [String], cap: Int) {
        let operands = arguments.filter { !$0.hasPrefix("-") }
        target = operands.last ?? "."
        targetIsDirectory = arguments.contains { $0.hasPrefix("-") && ($0.contains("d") || $0.contains("r")) } || target.hasSuffix("/")
        self.cap = cap
    }

    /// The zero byte that tells the client to start.
    static let ready: [UInt8] = [0]

    mutating func receive(_ bytes: [UInt8]) -> Step {
        var step = Step()
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .failed:
                return step
            case .data(var upload, let remaining):
                let take = min(remaining, bytes.endIndex - index)
                upload.append(bytes[index..<(index + take)])
                index += take
                state = remaining == take ? .trailer(upload) : .data(upload, remaining: remaining - take)
            case .trailer(let upload):
                // The client ends each file with a zero byte; the server acknowledges it.
                index += 1
                step.files.append(upload.finished())
                step.reply += [0]
                state = .control
            case .control:
                let byte = bytes[index]
                index += 1
                guard byte == 0x0A else {
                    line.append(byte)
                    if line.count > 1_024 { fail("protocol error: control line too long", &step) }
                    continue
                }
                control(String(decoding: line, as: UTF8.self), &step)
                line = []
            }
        }
        return step
    }

    private mutating func control(_ text: String, _ step: inout Step) {
        guard let kind = text.first else { return fail("protocol error: empty control line", &step) }
        let fields = text.dropFirst().split(separator: " ", maxSplits: 2)
        switch kind {
        case "C", "D":
            guard fields.count == 3, fields[0].count == 4, fields[0].allSatisfy({ ("0"..."7").contains($0) }), let size = Int(fields[1]), size >= 0,
                !fields[2].contains("/"), fields[2] != "..", fields[2] != "."
            else { return fail("protocol error: bad control line", &step) }
            let name = String(fields[2])
            if kind == "D" {
                directories.append(name)
                step.reply += [0]
                return
            }
            let base = targetIsDirectory || !directories.isEmpty ? ([target] + directories + [name]).joined(separator: "/") : target
            let upload = StreamedUpload(path: base.replacingSlashes(), cap: cap)
            step.reply += [0]
            state = size == 0 ? .trailer(upload) : .data(upload, remaining: size)
        case "E":
            _ = directories.popLast()
            step.reply += [0]
        case "T":
            step.reply += [0]
        default:
            fail("protocol error: unexpected <\(kind)>", &step)
        }
    }

    private mutating func fail(_ message: String, _ step: inout Step) {
        step.reply += [1] + Array("scp: \(message)\n".utf8)
        step.failure = message
        state = .failed
    }
}

extension String {
    /// Repeated slashes folded to one.
    fileprivate func replacingSlashes() -> String {
        var result = ""
        for character in self where !(character == "/" && result.hasSuffix("/")) { result.append(character) }
        return result
    }
}
