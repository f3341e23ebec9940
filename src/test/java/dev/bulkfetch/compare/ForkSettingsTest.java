package dev.bulkfetch.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForkSettingsTest {

    @Test
    void aProbeRunsWithTheParentsCompilerCollectorAndCacheButNotItsRecordingOrTraining() {
        List<String> parent = List.of("--sun-misc-unsafe-memory-access=allow",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:AOTCache=/x/b.jar.aot",
                "-Xlog:aot=off", "-Xmx2g", "-XX:AOTCacheOutput=/x/t.aot",
                "-XX:StartFlightRecording=filename=a.jfr", "-Dfoo=bar", "-agentlib:jdwp=x");
        // After review: -D properties too (BULKFETCH_JAVA_OPTS=-Djdk.http.maxHeaderSize=0
        // changes what a run fetches); forked runs failed where fetch did not.
        assertThat(Fork.jvmSettings(parent)).containsExactly("-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:AOTCache=/x/b.jar.aot", "-Xlog:aot=off", "-Xmx2g",
                "-Dfoo=bar");
    }
}
