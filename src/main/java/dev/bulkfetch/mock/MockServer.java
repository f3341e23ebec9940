package dev.bulkfetch.mock;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.standalone.MappingFileException;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded WireMock that serves {@code wiremock-mappings/}: the same stubs stock WireMock
 * serves from that folder, shipped inside the jar so {@code fetch --mock} works from anywhere.
 *
 * <p>Tuned as a load target rather than a test double: no request journal (it would grow with
 * every request), asynchronous responses so a delayed response waits on a timer instead of
 * holding a Jetty thread (WireMock issues #598 and #1221: with synchronous delays, requests queue
 * behind each other once the container threads are busy), and enough container threads for
 * request parsing at high concurrency.
 */
public final class MockServer implements AutoCloseable {

    /** The port the URL lists in {@code urls/} point at. */
    public static final int DEFAULT_PORT = 8089;
    private static final String CLASSPATH_ROOT = "wiremock-mappings";

    private final WireMockServer server;

    private MockServer(WireMockServer server) {
        this.server = server;
    }

    /**
     * Starts the mock on 127.0.0.1:{@code port} (0 for any free port), serving {@code root} when
     * it is a folder, else the stubs built into the jar.
     *
     * @throws IllegalStateException naming the port when it is taken
     */
    public static MockServer start(int port, Path root) {
        return start(port, root, null);
    }

    /** As {@link #start(int, Path)}, with every stub behind {@code limit} when it is given. */
    public static MockServer start(int port, Path root, TokenBucket limit) {
        WireMockConfiguration config = options()
                .bindAddress("127.0.0.1")
                .port(port)
                .disableRequestJournal()
                .stubRequestLoggingDisabled(true)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(Math.max(8, 4 * Runtime.getRuntime()
                        .availableProcessors()))
                .containerThreads(256)
                .jettyAcceptors(2)
                .jettyAcceptQueueSize(4096)
                .notifier(new Slf4jNotifier(false));
        if (limit != null) {
            config.extensions(limit);
        }
        if (root != null && Files.isDirectory(root.resolve("mappings"))) {
            config.withRootDirectory(root.toString());
        } else {
            config.usingFilesUnderClasspath(CLASSPATH_ROOT);
        }
        WireMockServer server;
        try {
            server = new WireMockServer(config);
            server.start();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new PortInUse(port, e);
                }
                if (t instanceof MappingFileException) {
                    // A stub file the user wrote: theirs to mend, said in one line. Its
                    // first line alone ("Error loading file F:") left out why: the lines after.
                    // Jackson's place in it quotes the file's start: the line and column do.
                    String message = String.valueOf(t.getMessage()).strip()
                            .replaceAll("(?s)\\[Source: .*?; line: (\\d+), column: (\\d+)]",
                                    "line $1, column $2")
                            .replaceAll("\\s*\\R\\s*", " ");
                    throw new IllegalStateException("cannot read the mappings under " + root
                            + ": " + message, e);
                }
            }
            throw e;
        }
        return new MockServer(server);
    }

    /** How many stubs it serves: none means every request is answered 404. */
    public int stubCount() {
        return server.listAllStubMappings().getMappings().size();
    }

    public int port() {
        return server.port();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /**
     * Points a URL written for the default mock address (127.0.0.1 or localhost, port 8089) at
     * this server's real port; any other URL is left alone.
     */
    public URI redirect(URI url) {
        return redirect(url, port());
    }

    /**
     * As {@link #redirect(URI)}, for a mock on {@code port}: what a compare's forked run, which
     * has the mock's port and not the mock, does with its list's URLs.
     */
    public static URI redirect(URI url, int port) {
        boolean local = "127.0.0.1".equals(url.getHost()) || "localhost".equals(url.getHost());
        if (!local || url.getPort() != DEFAULT_PORT || port == DEFAULT_PORT) {
            return url;
        }
        // The authority's port, not the first ":8089" of the text, which may be a user's
        // password or a path's (http://u:8089@127.0.0.1:8089/ had its password changed).
        String authority = url.getRawAuthority();
        String moved = authority.substring(0, authority.lastIndexOf(':') + 1) + port;
        String text = url.toString();
        int at = text.indexOf("//" + authority) + 2;
        return URI.create(text.substring(0, at) + moved
                + text.substring(at + authority.length()));
    }

    @Override
    public void close() {
        server.stop();
    }

    /** The port asked for is taken: the user's to change, by the option that gave it. */
    public static final class PortInUse extends IllegalStateException {
        private final int port;

        PortInUse(int port, Throwable cause) {
            super("port " + port + " is already in use: stop what is using it, or choose"
                    + " another port (0 picks a free one)", cause);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }
}
