// JsseServer: a Java (JSSE, SunJSSE provider) TLS server with setNeedClientAuth(true). Used by
// captures/make-stacks.sh. Accepts one connection, runs the handshake, answers one HTTP GET.
// Its output is the log: "error: handshake: <the exception JSSE threw>" (with its causes), or
// "client certificate verified: ..." and "request: ...".
//   java JsseServer PORT TLSv1.3|TLSv1.2 KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD
import java.io.*;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

public class JsseServer {
    static void error(String where, Throwable e) {
        System.out.println("error: " + where + ": " + e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) System.out.println("  caused by: " + c);
    }

    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        char[] pw = a[4].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[2])) { ks.load(in, pw); }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[3])) { ts.load(in, pw); }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, pw);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
            .createServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
        ss.setNeedClientAuth(true);
        ss.setEnabledProtocols(new String[] {a[1]});
        System.out.println("listening on 127.0.0.1:" + port + " (Java " + System.getProperty("java.version")
            + " JSSE, " + a[1] + " only, setNeedClientAuth(true))");
        try (SSLSocket s = (SSLSocket) ss.accept()) {
            ss.close();
            s.setSoTimeout(10000);
            try {
                s.startHandshake();
            } catch (IOException e) {
                error("handshake", e);
                return;
            }
            SSLSession sess = s.getSession();
            System.out.println("TLS established: " + sess.getProtocol() + " " + sess.getCipherSuite());
            X509Certificate peer = (X509Certificate) sess.getPeerCertificates()[0];
            System.out.println("client certificate verified: " + peer.getSubjectX500Principal()
                + " (issuer " + peer.getIssuerX500Principal() + "), " + sess.getPeerCertificates().length + " certificate(s) sent");
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String first = r.readLine(), line;
                while ((line = r.readLine()) != null && !line.isEmpty()) { }
                System.out.println("request: " + first);
                byte[] body = ("hello " + peer.getSubjectX500Principal().getName() + "\n").getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                error("request", e);
            }
        }
        System.out.println("connection closed");
    }
}
