// JsseClient: a Java (JSSE) TLS client with a client certificate from a PKCS#12 key store (or
// none). Used by captures/make-stacks.sh against openssl s_server -Verify 2 -rev: it sends one
// line and prints the line it gets back. Its output is the log: "handshake done: ..." or
// "error: handshake: <exception>", then "received: ..." or "error: read: <exception>".
//   java JsseClient HOST PORT TLSv1.3|TLSv1.2 TRUSTSTORE.p12 PASSWORD [KEYSTORE.p12]
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.*;

public class JsseClient {
    static void error(String where, Throwable e) {
        System.out.println("error: " + where + ": " + e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) System.out.println("  caused by: " + c);
    }

    public static void main(String[] a) throws Exception {
        char[] pw = a[4].toCharArray();
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[3])) { ts.load(in, pw); }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        KeyManager[] kms = null;
        if (a.length > 5) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(a[5])) { ks.load(in, pw); }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(ks, pw);
            kms = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kms, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(a[0], Integer.parseInt(a[1]))) {
            s.setEnabledProtocols(new String[] {a[2]});
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(java.util.List.of(new SNIHostName("server.test")));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(10000);
            try {
                s.startHandshake();
            } catch (IOException e) {
                error("handshake", e);
                System.exit(1);
            }
            SSLSession sess = s.getSession();
            Object[] local = sess.getLocalCertificates();
            System.out.println("handshake done: " + sess.getProtocol() + " " + sess.getCipherSuite() + ", server certificate "
                + ((X509Certificate) sess.getPeerCertificates()[0]).getSubjectX500Principal() + ", client certificate sent: "
                + (local == null ? "none" : ((X509Certificate) local[0]).getSubjectX500Principal().toString()));
            try {
                OutputStream out = s.getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (line == null) {
                    System.out.println("error: read: connection closed without data");
                    System.exit(1);
                }
                System.out.println("received: \"" + line + "\"");
            } catch (IOException e) {
                error("read", e);
                System.exit(1);
            }
        }
    }
}
