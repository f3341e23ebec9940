package dev.bulkfetch.engine;

import io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.asynchttpclient.AsyncHttpClientConfig;
import org.asynchttpclient.SslEngineFactory;
import org.asynchttpclient.netty.ssl.DefaultSslEngineFactory;

/**
 * AHC's own TLS set-up, made on the first https connection rather than when the client is
 * built. Building it loads the trust store and a few hundred security classes, about a tenth of
 * a second of a cold start that a run of plain http URLs never needs.
 */
final class LazySslEngineFactory implements SslEngineFactory {

    // Trusted in place of the JDK's certificate authorities when not empty.
    private final List<X509Certificate> trusted;
    // Guarded by this; set once, on the first https connection.
    private DefaultSslEngineFactory delegate;

    LazySslEngineFactory(List<X509Certificate> trusted) {
        this.trusted = trusted;
    }

    @Override
    public void init(AsyncHttpClientConfig config) {
        // Deferred to the first newSslEngine.
    }

    @Override
    public SSLEngine newSslEngine(AsyncHttpClientConfig config, String peerHost, int peerPort) {
        return delegate(config).newSslEngine(config, peerHost, peerPort);
    }

    private synchronized DefaultSslEngineFactory delegate(AsyncHttpClientConfig config) {
        if (delegate == null) {
            DefaultSslEngineFactory made = trusted.isEmpty() ? new DefaultSslEngineFactory()
                    : new DefaultSslEngineFactory() {
                        @Override
                        protected SslContextBuilder configureSslContextBuilder(
                                SslContextBuilder builder) {
                            return builder.trustManager(
                                    TrustedCertificates.trustManager(trusted));
                        }
                    };
            try {
                made.init(config);
            } catch (SSLException e) {
                throw new IllegalStateException("TLS could not be set up: " + e.getMessage(), e);
            }
            delegate = made;
        }
        return delegate;
    }

    @Override
    public synchronized void destroy() {
        if (delegate != null) {
            delegate.destroy();
        }
    }
}
