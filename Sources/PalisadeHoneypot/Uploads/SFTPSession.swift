import PalisadeSSH

/// An SFTP version 3 server (draft-ietf-secsh-filexfer-02, what OpenSSH's sftp-server speaks and
/// what `scp` uses by default since OpenSSH 9.0) over the profile's fake filesystem: reads answer
/// from the profile, writes become uploads for the quarantine, nothing touches the real disk.
/// Pure and bounded: packets over 256 KiB, more than 32 open handles or a malformed request end
/// the session.
struct SFTPSession {
    /// What one ``receive(_:)`` produced.
    struct Step {
        /// Bytes to send back (SFTP packets).
        var reply: [UInt8] = []
        /// Files completed (closed).
        var files: [ReceivedFile] = []
        /// Other operations worth recording: (operation, path).
        var operations: [(String, String)] = []
        /// Set when the session must end: why.
        var failure: String?
    }

    private enum Handle {
        case upload(OffsetUpload)
        case read(path: String, contents: [UInt8])
        case directory(path: String, listed: Bool)
    }

    static let maxPacket = 256 * 1_024 + 1_024
    static let maxHandles = 32

    private let profile: FakeShell.Profile
    private let home: String
    private let cap: Int
    private var buffer: [UInt8] = []
    private var handles: [UInt32: Handle] = [:]
    private var nextHandle: UInt32 = 0
    private var uploaded: [String: Int] = [:]
    private var failed = false

    /// A session for `user` (their home is the starting directory).
    init(profile: FakeShell.Profile, user: String, cap: Int) {
        self.profile = profile
        home = profile.users.first { $0.name == user }?.home ?? (user == "root" ? "/root" : "/home/\(user)")
        self.cap = cap
    }

    mutating func receive(_ bytes: [UInt8]) -> Step {
        var step = Step()
        guard !failed else { return step }
        buffer += bytes
        while buffer.count >= 4 {
            let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
            guard length >= 1, length <= Self.maxPacket else {
                failed = true
                step.failure = "an SFTP packet of \(length) bytes"
                return step
            }
            guard buffer.count >= 4 + length else { break }
            let packet = Array(buffer[4..<(4 + length)])
            buffer.removeFirst(4 + length)
            do {
                try handle(packet, &step)
            } catch {
                failed = true
                step.failure = "a malformed SFTP request: \(error)"
                return step
            }
        }
        return step
    }

    /// Uploads still open when the channel closes: recorded as they stand.
    mutating func finish() -> [ReceivedFile] {
        let open = handles.values.compactMap { handle -> ReceivedFile? in if case .upload(let upload) = handle { upload.finished() } else { nil } }
        handles = [:]
        return open
    }

    private mutating func handle(_ packet: [UInt8], _ step: inout Step) throws(SSHWireError) {
        var reader = SSHReader(packet)
        let type = try reader.readByte()
        if type == 1 {  // INIT: version 3, no extensions
            var version = SSHWriter()
            version.write(byte: 2)
            version.write(uint32: 3)
            step.reply += Self.frame(version.bytes)
            return
        }
        let id = try reader.readUInt32()
        switch type {
        case 3:  // OPEN
            let path = resolve(try reader.readText(limit: 4_096))
            let flags = try reader.readUInt32()
            try Self.skipAttributes(&reader)
            guard handles.count < Self.maxHandles else { return status(id, 4, &step) }
            if flags & 0x02 != 0 || flags & 0x08 != 0 {  // WRITE or CREAT
                step.reply += opened(id, .upload(OffsetUpload(path: path, cap: cap)))
            } else if let text = profile.file(at: path) {
                step.operations.append(("read", path))
                step.reply += opened(id, .read(path: path, contents: Array(text.utf8)))
            } else {
                status(id, profile.isDirectory(path) ? 4 : 2, &step)
            }
        case 4:  // CLOSE
            let key = try Self.handleKey(try reader.readString(limit: 64))
            guard let handle = handles.removeValue(forKey: key) else { return status(id, 4, &step) }
            if case .upload(let upload) = handle {
                let file = upload.finished()
                uploaded[file.path] = file.size
                step.files.append(file)
            }
            status(id, 0, &step)
        case 5:  // READ
            let key = try Self.handleKey(try reader.readString(limit: 64))
            let offset = try reader.readUInt64()
            let length = try reader.readUInt32()
            guard case .read(_, let contents)? = handles[key] else { return status(id, 4, &step) }
            guard offset < UInt64(contents.count) else { return status(id, 1, &step) }
            let end = min(contents.count, Int(offset) + Int(min(length, 65_536)))
            var data = SSHWriter(capacity: end - Int(offset) + 16)
            data.write(byte: 103)
            data.write(uint32: id)
            data.write(string: contents[Int(offset)..<end])
            step.reply += Self.frame(data.bytes)
        case 6:  // WRITE
            let key = try Self.handleKey(try reader.readString(limit: 64))
            let offset = try reader.readUInt64()
            let data = try reader.readString(limit: Self.maxPacket)
            guard case .upload(var upload)? = handles[key] else { return status(id, 4, &step) }
            upload.write(data, at: offset)
            handles[key] = .upload(upload)
            status(id, 0, &step)
        case 7, 17:  // LSTAT, STAT
            attributes(id, resolve(try reader.readText(limit: 4_096)), &step)
        case 8:  // FSTAT
            let key = try Self.handleKey(try reader.readString(limit: 64))
            switch handles[key] {
            case .read(let path, _)?, .directory(let path, _)?: attributes(id, path, &step)
            case .upload?: attributesReply(id, size: 0, directory: false, &step)
            case nil: status(id, 4, &step)
            }
        case 9, 10:  // SETSTAT, FSETSTAT
            status(id, 0, &step)
        case 11:  // OPENDIR
            let path = resolve(try reader.readText(limit: 4_096))
            guard profile.isDirectory(path) else { return status(id, 2, &step) }
            guard handles.count < Self.maxHandles else { return status(id, 4, &step) }
            step.operations.append(("list", path))
            step.reply += opened(id, .directory(path: path, listed: false))
        case 12:  // READDIR
            let key = try Self.handleKey(try reader.readString(limit: 64))
            guard case .directory(let path, let listed)? = handles[key] else { return status(id, 4, &step) }
            guard !listed else { return status(id, 1, &step) }
            handles[key] = .directory(path: path, listed: true)
            let names = [".", ".."] + profile.entries(of: path)
            var writer = SSHWriter()
            writer.write(byte: 104)
            writer.write(uint32: id)
            writer.write(uint32: UInt32(names.count))
            for name in names {
                let full = FakeShell.Profile.normalize(path + "/" + name)
                let isDirectory = name == "." || name == ".." || profile.isDirectory(full)
                let size = profile.file(at: full)?.utf8.count ?? 4_096
                writer.write(text: name)
                writer.write(text: Self.longName(name, size: size, directory: isDirectory))
                Self.writeAttributes(&writer, size: size, directory: isDirectory)
            }
            step.reply += Self.frame(writer.bytes)
        case 13, 14, 15:  // REMOVE, MKDIR, RMDIR
            let path = resolve(try reader.readText(limit: 4_096))
            step.operations.append(([13: "remove", 14: "mkdir", 15: "rmdir"][type] ?? "", path))
            status(id, 0, &step)
        case 16:  // REALPATH
            let path = resolve(try reader.readText(limit: 4_096))
            var writer = SSHWriter()
            writer.write(byte: 104)
            writer.write(uint32: id)
            writer.write(uint32: 1)
            writer.write(text: path)
            writer.write(text: path)
            writer.write(uint32: 0)
            step.reply += Self.frame(writer.bytes)
        case 18:  // RENAME
            let from = resolve(try reader.readText(limit: 4_096))
            let to = resolve(try reader.readText(limit: 4_096))
            step.operations.append(("rename", "\(from) -> \(to)"))
            status(id, 0, &step)
        default:
            status(id, 8, &step)
        }
    }

    private mutating func opened(_ id: UInt32, _ handle: Handle) -> [UInt8] {
        let key = nextHandle
        nextHandle &+= 1
        handles[key] = handle
        var writer = SSHWriter()
        writer.write(byte: 102)
        writer.write(uint32: id)
        writer.write(text: String(key))
        return Self.frame(writer.bytes)
    }

    private func attributes(_ id: UInt32, _ path: String, _ step: inout Step) {
        if let text = profile.file(at: path) {
            attributesReply(id, size: text.utf8.count, directory: false, &step)
        } else if let size = uploaded[path] {
            attributesReply(id, size: size, directory: false, &step)
        } else if profile.isDirectory(path) {
            attributesReply(id, size: 4_096, directory: true, &step)
        } else {
            status(id, 2, &step)
        }
    }

    private func attributesReply(_ id: UInt32, size: Int, directory: Bool, _ step: inout Step) {
        var writer = SSHWriter()
        writer.write(byte: 105)
        writer.write(uint32: id)
        Self.writeAttributes(&writer, size: size, directory: directory)
        step.reply += Self.frame(writer.bytes)
    }

    /// SSH_FXP_STATUS with OpenSSH's messages.
    private func status(_ id: UInt32, _ code: UInt32, _ step: inout Step) {
        let messages = ["Success", "End of file", "No such file", "Permission denied", "Failure", "Bad message", "", "", "Operation unsupported"]
        var writer = SSHWriter()
        writer.write(byte: 101)
        writer.write(uint32: id)
        writer.write(uint32: code)
        writer.write(text: Int(code) < messages.count ? messages[Int(code)] : "Failure")
        writer.write(text: "")
        step.reply += Self.frame(writer.bytes)
    }

    private func resolve(_ path: String) -> String {
        FakeShell.Profile.normalize(path.hasPrefix("/") ? path : home + "/" + path)
    }

    private static func handleKey(_ bytes: [UInt8]) throws(SSHWireError) -> UInt32 {
        guard let key = UInt32(String(decoding: bytes, as: UTF8.self)) else { throw SSHWireError(.protocolError, "not a handle") }
        return key
    }

    /// Reads past an ATTRS structure.
    private static func skipAttributes(_ reader: inout SSHReader) throws(SSHWireError) {
        let flags = try reader.readUInt32()
        if flags & 0x01 != 0 { _ = try reader.readUInt64() }
        if flags & 0x02 != 0 { _ = try reader.readBytes(8) }
        if flags & 0x04 != 0 { _ = try reader.readUInt32() }
        if flags & 0x08 != 0 { _ = try reader.readBytes(8) }
        if flags & 0x8000_0000 != 0 {
            let count = try reader.readUInt32()
            guard count <= 64 else { throw SSHWireError(.protocolError, "\(count) extended attributes") }
            for _ in 0..<count {
                _ = try reader.readString(limit: 4_096)
                _ = try reader.readString(limit: 4_096)
            }
        }
    }

    /// Size, owner root, mode, and a fixed time.
    private static func writeAttributes(_ writer: inout SSHWriter, size: Int, directory: Bool) {
        writer.write(uint32: 0x01 | 0x02 | 0x04 | 0x08)
        writer.write(uint64: UInt64(size))
        writer.write(uint32: 0)
        writer.write(uint32: 0)
        writer.write(uint32: directory ? 0o040755 : 0o100644)
        writer.write(uint32: 1_732_000_000)
        writer.write(uint32: 1_732_000_000)
    }

    private static func longName(_ name: String, size: Int, directory: Bool) -> String {
        "\(directory ? "drwxr-xr-x" : "-rw-r--r--")    1 root     root     \(String(repeating: " ", count: max(0, 8 - String(size).count)))\(size) Nov 19 07:06 \(name)"
    }

    private static func frame(_ payload: [UInt8]) -> [UInt8] {
        var writer = SSHWriter(capacity: payload.count + 4)
        writer.write(string: payload)
        return writer.bytes
    }
}
