package dev.bulkfetch.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class FileErrorsTest {

    @Test
    void aFileErrorIsSaidWithItsPathAndWhyNeverThePathTwice() {
        assertThat(FileErrors.describe(new NoSuchFileException("/r/out.json")))
                .isEqualTo("/r/out.json: no such file or folder");
        assertThat(FileErrors.describe(new AccessDeniedException("/r/out.json")))
                .isEqualTo("/r/out.json: permission denied");
        assertThat(FileErrors.describe(
                new FileSystemException("/r/x", null, "Read-only file system")))
                .isEqualTo("/r/x: Read-only file system");
        // Its message is only the path: the exception's name says why.
        assertThat(FileErrors.describe(new DirectoryNotEmptyException("/r/bodies")))
                .isEqualTo("/r/bodies: directory not empty");
        assertThat(FileErrors.reason(new IOException("No space left on device")))
                .isEqualTo("No space left on device");
    }
}
