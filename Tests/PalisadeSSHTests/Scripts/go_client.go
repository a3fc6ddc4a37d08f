// A Go SSH client (golang.org/x/crypto/ssh as Debian ships it) against an SSH server on
// 127.0.0.1:PORT, sharing no code with Palisade. It prints the host key type it was shown, the
// result of a wrong password, and the output of `id` after logging in as root/toor.
//
// usage: go_client PORT
package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
)

func main() {
	address := net.JoinHostPort("127.0.0.1", os.Args[1])
	var hostKeyType string
	config := &ssh.ClientConfig{
		User: "root",
		Auth: []ssh.AuthMethod{ssh.Password("wrong")},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			hostKeyType = key.Type()
			return nil
		},
	}
	if _, err := ssh.Dial("tcp", address, config); err != nil {
		fmt.Println("go wrong password: refused")
	} else {
		fmt.Println("go wrong password: accepted?!")
	}
	config.Auth = []ssh.AuthMethod{ssh.Password("toor")}
	client, err := ssh.Dial("tcp", address, config)
	if err != nil {
		fmt.Println("go login failed:", err)
		os.Exit(1)
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		fmt.Println("go session failed:", err)
		os.Exit(1)
	}
	output, err := session.Output("id")
	if err != nil {
		fmt.Println("go exec failed:", err)
		os.Exit(1)
	}
	fmt.Printf("go host key: %s\n", hostKeyType)
	fmt.Printf("go output: %s", output)
}
