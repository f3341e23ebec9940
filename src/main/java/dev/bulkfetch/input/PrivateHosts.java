package dev.bulkfetch.input;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Says whether a host resolves to an address a scraping job fed untrusted URLs must not reach:
 * loopback, private (site-local, IPv6 unique-local, the shared 100.64.0.0/10), link-local (cloud
 * metadata lives there) or the unspecified address. A host that does not resolve is let
 * through: the engine reports it as a connect error. Checked when the item is read, and by the
 * engines before every exchange, a redirect's included. Safe for any number of threads.
 *
 * <p>Each check resolves through the JVM's own cache (30 s by default), the one the engines
 * connect through, and keeps no answer of its own: it kept each host's first answer for the
 * whole run, so a name that answered with a public address and then with 127.0.0.1 (DNS
 * rebinding) was let through to it for as long as the run lasted. Now a check and the
 * connection that follows it see the same answer, but for a change that falls between them.
 */
public final class PrivateHosts {

    /** Resolves a host name to its addresses, as {@link InetAddress#getAllByName} does. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Resolver resolver;

    public PrivateHosts() {
        this(InetAddress::getAllByName);
    }

    PrivateHosts(Resolver resolver) {
        this.resolver = resolver;
    }

    /** Why {@code host} is refused, or {@code null} when it is not. */
    public String refusal(String host) {
        try {
            for (InetAddress address : resolver.resolve(host)) {
                if (isPrivate(address)) {
                    return "host " + host + " resolves to " + address.getHostAddress()
                            + ", a loopback, private or link-local address, which --deny-private"
                            + " (the library's denyPrivate) refuses";
                }
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress()
                || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64) {
            // 100.64.0.0/10, shared address space: some clouds' metadata lives there.
            return true;
        }
        // IPv6 unique local addresses, fc00::/7.
        return address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc;
    }
}
