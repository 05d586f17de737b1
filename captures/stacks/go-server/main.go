// go-server: a Go crypto/tls + net/http server that requires and verifies a client certificate.
// Used by captures/make-stacks.sh. It serves one connection and exits when that connection closes.
// What it prints is the log: net/http's own handshake error lines (ErrorLog, prefix "error: ")
// and one "request:" / "client certificate verified:" line per request.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
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
	addr := flag.String("addr", "127.0.0.1:23001", "listen address")
	certFile := flag.String("cert", "pki/server.chain.pem", "server certificate chain (PEM)")
	keyFile := flag.String("key", "pki/server.key", "server key (PEM)")
	clientCAs := flag.String("client-cas", "pki/root.pem,pki/intermediate.pem", "comma-separated PEM files for tls.Config.ClientCAs")
	version := flag.String("tls", "1.3", "the only TLS version allowed: 1.2 or 1.3")
	keylog := flag.String("keylog", "", "NSS key log file (tls.Config.KeyLogWriter)")
	flag.Parse()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	for _, f := range strings.Split(*clientCAs, ",") {
		pem, err := os.ReadFile(f)
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			log.Fatalf("client CAs %s: %v", f, err)
		}
	}
	v := uint16(tls.VersionTLS13)
	if *version == "1.2" {
		v = tls.VersionTLS12
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   v,
		MaxVersion:   v,
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
		if err != nil {
			log.Fatal(err)
		}
		cfg.KeyLogWriter = f
	}

	srv := &http.Server{
		TLSConfig: cfg,
		ErrorLog:  log.New(os.Stdout, "error: ", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := r.TLS
			fmt.Printf("request: %s %s over %s %s\n", r.Method, r.URL.Path, versionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
			cn := "(none)"
			if len(st.PeerCertificates) > 0 {
				c := st.PeerCertificates[0]
				cn = c.Subject.CommonName
				fmt.Printf("client certificate verified: %s (issuer %s), %d certificate(s) sent, %d verified chain(s)\n",
					c.Subject, c.Issuer, len(st.PeerCertificates), len(st.VerifiedChains))
			}
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "hello %s\n", cn)
		}),
		// one connection: exit once it is closed (after net/http logged what happened)
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateClosed || s == http.StateHijacked {
				fmt.Println("connection closed")
				go func() { time.Sleep(100 * time.Millisecond); os.Exit(0) }()
			}
		},
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s (Go crypto/tls, %s only, RequireAndVerifyClientCert, ClientCAs %s)\n", *addr, versionName(v), *clientCAs)
	log.Fatal(srv.ServeTLS(ln, "", ""))
}
