package dev.bulkfetch.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MockRedirectTest {

    /**
     * The mock's URLs go to its port, by their authority's port alone: the first ":8089" of
     * the text was changed, a password's or a path's where it came before the port's.
     */
    @Test
    void onlyTheAuthoritysPortMoves() {
        assertThat(MockServer.redirect(URI.create("http://127.0.0.1:8089/a:8089?b=:8089"), 4321))
                .hasToString("http://127.0.0.1:4321/a:8089?b=:8089");
        assertThat(MockServer.redirect(URI.create("http://u:8089@localhost:8089/x"), 4321))
                .hasToString("http://u:8089@localhost:4321/x");
        // Not the mock's: another port, another host, or the mock on its own port.
        assertThat(MockServer.redirect(URI.create("http://127.0.0.1:8090/x"), 4321))
                .hasToString("http://127.0.0.1:8090/x");
        assertThat(MockServer.redirect(URI.create("http://example.test:8089/x"), 4321))
                .hasToString("http://example.test:8089/x");
        assertThat(MockServer.redirect(URI.create("http://127.0.0.1:8089/x"), 8089))
                .hasToString("http://127.0.0.1:8089/x");
    }
}
