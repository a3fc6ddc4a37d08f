"""paramiko and asyncssh against an SSH server, sharing no code with Palisade.

usage: python_clients.py PORT
Prints, for each client: the algorithms it negotiated, the result of a wrong password, and the
output of a command run after logging in with the right one (root / toor).
"""

import asyncio
import sys

import asyncssh
import paramiko

PORT = int(sys.argv[1])


def with_paramiko():
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=PORT, username="root", password="wrong", look_for_keys=False, allow_agent=False, timeout=10)
        print("paramiko wrong password: accepted?!")
    except paramiko.AuthenticationException:
        print("paramiko wrong password: refused")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=PORT, username="root", password="toor", look_for_keys=False, allow_agent=False, timeout=10)
    transport = client.get_transport()
    print(f"paramiko negotiated: {transport.host_key_type} {transport.local_cipher} {transport.local_mac}")
    _, stdout, _ = client.exec_command("id")
    print("paramiko output: " + stdout.read().decode().strip() + f" (exit {stdout.channel.recv_exit_status()})")
    client.close()


async def with_asyncssh():
    try:
        async with asyncssh.connect("127.0.0.1", port=PORT, username="root", password="wrong", known_hosts=None, client_keys=None):
            print("asyncssh wrong password: accepted?!")
    except asyncssh.PermissionDenied:
        print("asyncssh wrong password: refused")
    async with asyncssh.connect("127.0.0.1", port=PORT, username="root", password="toor", known_hosts=None, client_keys=None) as connection:
        info = connection.get_extra_info
        print(f"asyncssh negotiated: {info('send_cipher')} {info('send_mac')}")
        result = await connection.run("uname -a")
        print("asyncssh output: " + result.stdout.strip() + f" (exit {result.exit_status})")


with_paramiko()
asyncio.run(with_asyncssh())
