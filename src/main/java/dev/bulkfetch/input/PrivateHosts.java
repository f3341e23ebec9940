package dev.bulkfetch.input;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Says whether a host resolves to an address a scraping job fed untrusted URLs must not reach:
 * loopback, private (site-local, IPv6 unique-local), link-local (cloud metadata lives there) or
 * the unspecified address. Answers are cached per host (up to 10,000 hosts). A host that does not
 * resolve is let through: the engine reports it as a connect error. Checked when the item is
 * read, and by the engines for every redirect; a host whose DNS answer changes between the check
 * and the connection (rebinding) is not caught here. Safe for any number of threads.
 */
public final class PrivateHosts {

    private static final int CACHE = 10_000;

    private final Map<String, String> answers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CACHE;
        }
    };

    /** Why {@code host} is refused, or {@code null} when it is not. */
    public synchronized String refusal(String host) {
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
        answers.put(host, answer);
        return answer.isEmpty() ? null : answer;
    }

    static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress()
                || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        // IPv6 unique local addresses, fc00::/7.
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc;
    }
}
