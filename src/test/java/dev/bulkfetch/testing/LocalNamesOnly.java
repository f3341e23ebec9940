package dev.bulkfetch.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The tests' name resolver (a JDK service, installed by this module's
 * META-INF/services): a {@code .invalid} name fails here, in the JVM, as the system's resolver
 * fails it, so a test of an unknown host sends no query to the machine's name server; tests
 * talk to 127.0.0.1 alone. {@code localhost}, the tests' second host name, is 127.0.0.1 alone
 * here, never the ::1 that a machine's hosts file may list for it as well, or instead. Every
 * other name goes to the JDK's own resolver.
 */
public final class LocalNamesOnly extends InetAddressResolverProvider {

    private static final AtomicInteger FAILED = new AtomicInteger();
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    /** How many {@code .invalid} lookups this resolver has failed: a test's proof it was asked. */
    public static int failed() {
        return FAILED.get();
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
                    throws UnknownHostException {
                // RFC 6761: a .invalid name never resolves. The message is glibc's, as the
                // JDK's resolver passes it on.
                String name = host.toLowerCase(java.util.Locale.ROOT);
                if (name.endsWith(".invalid") || name.endsWith(".invalid.")) {
                    FAILED.incrementAndGet();
                    throw new UnknownHostException(host + ": Name or service not known");
                }
                if (name.equals(TestServer.OTHER_HOST)
                        && (policy.characteristics() & LookupPolicy.IPV4) != 0) {
                    return Stream.of(InetAddress.getByAddress(host, LOOPBACK));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "bulkfetch tests: .invalid names fail locally";
    }
}
