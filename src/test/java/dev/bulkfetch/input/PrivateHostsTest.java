package dev.bulkfetch.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivateHostsTest {

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /**
     * DNS rebinding: a name answers with a public address, then with 127.0.0.1. The first
     * answer was kept for the whole run, so every later check let the name through to the
     * loopback address it then resolved to.
     */
    @Test
    void aNameThatRebindsToAPrivateAddressIsRefusedFromThenOn() throws Exception {
        Deque<InetAddress> answers = new ArrayDeque<>(List.of(address("93.184.216.34"),
                address("127.0.0.1")));
        PrivateHosts hosts = new PrivateHosts(host -> new InetAddress[] {answers.poll()});

        assertThat(hosts.refusal("rebind.test")).isNull();
        assertThat(hosts.refusal("rebind.test")).contains("resolves to 127.0.0.1")
                .endsWith("which --deny-private (the library's denyPrivate) refuses");
    }

    @Test
    void privateLoopbackLinkLocalAndSharedAddressesAreRefusedAndPublicOnesNot()
            throws Exception {
        for (String literal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1")) {
            assertThat(PrivateHosts.isPrivate(address(literal))).as(literal).isTrue();
        }
        for (String literal : List.of("93.184.216.34", "100.128.0.1", "2606:4700::1")) {
            assertThat(PrivateHosts.isPrivate(address(literal))).as(literal).isFalse();
        }
    }
}
