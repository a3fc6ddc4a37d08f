import Foundation

extension FakeShell {
    /// The host the sensor pretends to be: its name, kernel, OS, users and files. The default is a
    /// Debian 12 database server; a profile file (YAML or JSON with any of these keys) changes
    /// what it names and keeps the rest.
    public struct Profile: Sendable, Codable, Equatable {
        /// An account in /etc/passwd.
        public struct User: Sendable, Codable, Equatable {
            /// Login name.
            public var name: String
            /// User id.
            public var uid: Int
            /// Primary group id (the user id when absent).
            public var gid: Int?
            /// The GECOS field.
            public var gecos: String
            /// Home directory.
            public var home: String
            /// Login shell.
            public var shell: String

            /// An account.
            public init(name: String, uid: Int, gid: Int? = nil, gecos: String = "", home: String, shell: String = "/bin/bash") {
                self.name = name
                self.uid = uid
                self.gid = gid
                self.gecos = gecos
                self.home = home
                self.shell = shell
            }

            /// Decodes an account; only `name`, `uid` and `home` are required.
            public init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                name = try container.decode(String.self, forKey: .name)
                uid = try container.decode(Int.self, forKey: .uid)
                gid = try container.decodeIfPresent(Int.self, forKey: .gid)
                gecos = try container.decodeIfPresent(String.self, forKey: .gecos) ?? ""
                home = try container.decode(String.self, forKey: .home)
                shell = try container.decodeIfPresent(String.self, forKey: .shell) ?? "/bin/bash"
            }
        }

        /// The host name in the prompt and `uname -n`.
        public var hostname: String
        /// `uname -a`.
        public var kernel: String
        /// The OS's name (/etc/issue, /etc/os-release's PRETTY_NAME).
        public var os: String
        /// The accounts (/etc/passwd).
        public var users: [User]
        /// More files, by absolute path (they win over the generated ones).
        public var files: [String: String]

        /// A Debian 12 server.
        public static let debian12 = Profile(
            hostname: "srv-db01",
            kernel: "Linux srv-db01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux",
            os: "Debian GNU/Linux 12 (bookworm)",
            users: [
                User(name: "root", uid: 0, gecos: "root", home: "/root"),
                User(name: "daemon", uid: 1, gecos: "daemon", home: "/usr/sbin", shell: "/usr/sbin/nologin"),
                User(name: "bin", uid: 2, gecos: "bin", home: "/bin", shell: "/usr/sbin/nologin"),
                User(name: "sys", uid: 3, gecos: "sys", home: "/dev", shell: "/usr/sbin/nologin"),
                User(name: "www-data", uid: 33, gecos: "www-data", home: "/var/www", shell: "/usr/sbin/nologin"),
                User(name: "sshd", uid: 104, gid: 65534, home: "/run/sshd", shell: "/usr/sbin/nologin"),
                User(name: "postgres", uid: 105, gid: 111, gecos: "PostgreSQL administrator,,,", home: "/var/lib/postgresql"),
                User(name: "admin", uid: 1000, gecos: "admin,,,", home: "/home/admin"),
            ],
            files: [
                "/proc/cpuinfo":
                    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\ncpu MHz\t\t: 2399.998\ncache size\t: 35840 KB\n\n",
                "/proc/meminfo": "MemTotal:        8143436 kB\nMemFree:          512312 kB\nMemAvailable:    6124520 kB\n",
                "/root/.bash_history": "",
                "/var/log/auth.log": "",
                "/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\n",
            ]
        )

        /// A profile.
        public init(hostname: String, kernel: String, os: String, users: [User], files: [String: String]) {
            self.hostname = hostname
            self.kernel = kernel
            self.os = os
            self.users = users
            self.files = files
        }

        /// Decodes the keys present; the rest come from ``debian12``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let base = Profile.debian12
            hostname = try container.decodeIfPresent(String.self, forKey: .hostname) ?? base.hostname
            kernel = try container.decodeIfPresent(String.self, forKey: .kernel) ?? base.kernel
            os = try container.decodeIfPresent(String.self, forKey: .os) ?? base.os
            users = try container.decodeIfPresent([User].self, forKey: .users) ?? base.users
            files = base.files.merging(try container.decodeIfPresent([String: String].self, forKey: .files) ?? [:]) { $1 }
            for path in files.keys where !path.hasPrefix("/") {
                throw DecodingError.dataCorruptedError(forKey: .files, in: container, debugDescription: "\(path) is not an absolute path")
            }
        }

        /// /etc/passwd from ``users``.
        public var passwd: String {
            users.map { "\($0.name):x:\($0.uid):\($0.gid ?? $0.uid):\($0.gecos):\($0.home):\($0.shell)\n" }.joined()
        }

        /// A file's contents (generated ones: /etc/passwd, /etc/hostname, /etc/issue, /etc/os-release).
        public func file(at path: String) -> String? {
            if let text = files[path] { return text }
            switch path {
            case "/etc/passwd": return passwd
            case "/etc/hostname": return hostname + "\n"
            case "/etc/issue":
                // "Debian GNU/Linux 12 \n \l": the name without its code name, then getty's escapes.
                return os.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces) + " \\n \\l\n\n"
            case "/etc/os-release": return "PRETTY_NAME=\"\(os)\"\nNAME=\"\(os.split(separator: " ").prefix(2).joined(separator: " "))\"\n"
            default: return nil
            }
        }

        /// Directories every Debian host has.
        static let standardDirectories: Set<String> = [
            "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin",
            "/srv", "/sys", "/tmp", "/usr", "/var", "/var/log", "/var/tmp", "/usr/bin", "/usr/sbin", "/usr/lib", "/etc/ssh",
        ]

        /// Every file path (generated and listed).
        var paths: Set<String> { Set(files.keys).union(["/etc/passwd", "/etc/hostname", "/etc/issue", "/etc/os-release"]) }

        /// Whether `path` is a directory: a standard one, a user's home, or a parent of a file.
        public func isDirectory(_ path: String) -> Bool {
            if Self.standardDirectories.contains(path) || users.contains(where: { $0.home == path }) { return true }
            let prefix = path == "/" ? "/" : path + "/"
            return paths.contains { $0.hasPrefix(prefix) }
        }

        /// The names in a directory, sorted (hidden ones left out, as plain `ls`).
        public func entries(of directory: String) -> [String] {
            let prefix = directory == "/" ? "/" : directory + "/"
            var names = Set<String>()
            for path in paths.union(Self.standardDirectories).union(users.map(\.home)) where path.hasPrefix(prefix) && path != directory {
                if let name = path.dropFirst(prefix.count).split(separator: "/").first, !name.hasPrefix(".") { names.insert(String(name)) }
            }
            return names.sorted()
        }

        /// `path` with `.`, `..` and repeated slashes folded (it must start with `/`).
        static func normalize(_ path: String) -> String {
            var parts: [Substring] = []
            for part in path.split(separator: "/") {
                switch part {
                case ".": continue
                case "..": _ = parts.popLast()
                default: parts.append(part)
                }
            }
            return "/" + parts.joined(separator: "/")
        }
    }
}
