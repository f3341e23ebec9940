/**
 * bulkfetch as a library: only {@code dev.bulkfetch} is exported. The packages behind it
 * (input, engine, limit, run, output, compare, mock, cli) use one another, so many of their
 * types are public in the Java sense; on the module path they stay invisible to users all the
 * same. On the class path (the {@code bulkfetch-all.jar} the launcher runs) this file is not
 * read.
 *
 * <p>{@code dev.bulkfetch.mock} compiles against WireMock from the class path (the pom adds
 * {@code --add-reads dev.bulkfetch=ALL-UNNAMED}): {@code wiremock-standalone} carries Guava's
 * module descriptor by accident, so as a module it is {@code com.google.common}, exports none
 * of WireMock's packages and requires a module that is not there. Nothing the exported package
 * reaches loads the mock, so a user on the module path never needs WireMock.
 */
module dev.bulkfetch {
    exports dev.bulkfetch;

    // BodyHandlers.json takes an ObjectMapper: a user of that method needs Jackson too.
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.core;

    // Automatic modules. Netty and resilience4j name theirs in their manifests;
    // async-http-client and HdrHistogram do not, so those two names come from the jar file
    // names (Maven warns about them).
    requires async.http.client;
    requires HdrHistogram;
    // async-http-client logs through SLF4J but, automatic, cannot say so: ask for it here.
    requires org.slf4j;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.github.resilience4j.bulkhead;
    requires io.github.resilience4j.ratelimiter;
    requires info.picocli;

    requires java.management;
    requires jdk.management;
    requires jdk.unsupported;
    // Only the launcher's training run (cli.TrainCommand, on the class path) serves HTTP.
    requires static jdk.httpserver;

    // picocli sets option fields and builds commands, mixins and converters reflectively.
    opens dev.bulkfetch.cli to info.picocli;
    // Jackson writes and reads the compare command's Measurement and Row records.
    opens dev.bulkfetch.compare to com.fasterxml.jackson.databind;
}
