// go-client: a Go crypto/tls client with a client certificate. Used by captures/make-stacks.sh
// against openssl s_server -Verify 2 -rev: it sends one line and prints the line it gets back.
// Its output is the log: "handshake done: ..." or "error: handshake: <Go's error>", then
// "received: ..." or "error: read: <Go's error>".
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:23101", "server address")
	serverName := flag.String("servername", "server.test", "SNI and the name to verify")
	caFile := flag.String("cafile", "pki/root.pem", "CA the server's certificate must chain to")
	certFile := flag.String("cert", "", "client certificate chain (PEM); none: no client certificate")
	keyFile := flag.String("key", "", "client key (PEM)")
	force := flag.Bool("force", false, "send the certificate even when the CertificateRequest's CA names do not match it (tls.Config.GetClientCertificate)")
	version := flag.String("tls", "1.3", "the only TLS version allowed: 1.2 or 1.3")
	keylog := flag.String("keylog", "", "NSS key log file (tls.Config.KeyLogWriter)")
	flag.Parse()

	pem, err := os.ReadFile(*caFile)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	v := uint16(tls.VersionTLS13)
	if *version == "1.2" {
		v = tls.VersionTLS12
	}
	cfg := &tls.Config{ServerName: *serverName, RootCAs: roots, MinVersion: v, MaxVersion: v}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatal(err)
		}
		if *force {
			cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
				if err := cri.SupportsCertificate(&cert); err != nil {
					fmt.Printf("note: the CertificateRequest does not fit the certificate (%v); sending it anyway (-force)\n", err)
				}
				return &cert, nil
			}
		} else {
			cfg.Certificates = []tls.Certificate{cert}
		}
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
		if err != nil {
			log.Fatal(err)
		}
		cfg.KeyLogWriter = f
	}

	raw, err := net.DialTimeout("tcp", *addr, 5*time.Second)
	if err != nil {
		fmt.Printf("error: dial: %v\n", err)
		os.Exit(1)
	}
	c := tls.Client(raw, cfg)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		fmt.Printf("error: handshake: %v\n", err)
		os.Exit(1)
	}
	st := c.ConnectionState()
	fmt.Printf("handshake done: %s %s, server certificate %s\n", versionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.PeerCertificates[0].Subject)
	if _, err := c.Write([]byte("hello\n")); err != nil {
		fmt.Printf("error: write: %v\n", err)
		os.Exit(1)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Printf("error: read: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("received: %q\n", line)
}
