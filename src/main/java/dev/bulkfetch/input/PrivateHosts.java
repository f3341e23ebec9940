package dev.bulkfetch.input;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says whether a host resolves to an address a scraping job fed untrusted URLs must not reach:
 * loopback, private (site-local, IPv6 unique-local, the shared 100.64.0.0/10), link-local (cloud
 * metadata lives there) or the unspecified address. Answers are cached per host (up to 10,000 hosts). A host that does not
 * resolve is let through: the engine reports it as a connect error. Checked when the item is
 * read, and by the engines for every redirect; a host whose DNS answer changes between the check
 * and the connection (rebinding) is not caught here. Safe for any number of threads.
 */
public final class PrivateHosts {

    private static final int CACHE = 10_000;

    // Host to refusal ("" when allowed). Concurrent, with no lock held across a DNS lookup:
    // engine threads, Netty's among them, check redirects, and a slow resolver for one host
    // must not hold up the others. Cleared when full, rather than kept in use order.
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    /** Why {@code host} is refused, or {@code null} when it is not. */
    public String refusal(String host) {
        String cached = answers.get(host);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        String answer = "";
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (isPrivate(address)) {
                    answer = "host " + host + " resolves to " + address.getHostAddress()
                            + ", a loopback, private or link-local address (--deny-private)";
                    break;
                }
            }
        } catch (UnknownHostException e) {
            answer = "";
        }
        if (answers.size() >= CACHE) {
            answers.clear();
        }
        answers.put(host, answer);
        return answer.isEmpty() ? null : answer;
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
