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
        assertThat(Fork.jvmSettings(parent)).containsExactly("-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-XX:AOTCache=/x/b.jar.aot", "-Xlog:aot=off", "-Xmx2g");
    }
}
