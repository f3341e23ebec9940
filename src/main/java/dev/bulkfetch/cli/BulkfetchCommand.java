package dev.bulkfetch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The top command: only a home for the subcommands (registered by {@link Main}),
 * {@code --help} and {@code --version}.
 */
@Command(name = "bulkfetch", mixinStandardHelpOptions = true,
        versionProvider = BulkfetchCommand.Version.class,
        description = "Fetch many URLs at once, fast, without hammering the server.")
final class BulkfetchCommand {

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BulkfetchCommand.class.getPackage().getImplementationVersion();
            return new String[] {"bulkfetch " + (version == null ? "dev" : version)
                    + " (Java " + Runtime.version() + ")"};
        }
    }
}
