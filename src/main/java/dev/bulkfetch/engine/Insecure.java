package dev.bulkfetch.engine;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What {@code --insecure} means for the blocking client: any certificate, any host name. Only
 * ever applied when asked for; certificates are verified by default.
 */
final class Insecure {

    private static final SSLSocketFactory TRUST_ALL = trustAll();

    private Insecure() {
    }

    /** Sockets that take any certificate. */
    static SSLSocketFactory sockets() {
        return TRUST_ALL;
    }

    /** Takes any host name, with {@link #sockets()} made to take any certificate. */
    static void apply(HttpsURLConnection https) {
        https.setHostnameVerifier((host, session) -> true);
    }

    private static SSLSocketFactory trustAll() {
        TrustManager all = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {all}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }
}
