package dev.bulkfetch.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The top command: only a home for the subcommands (registered by {@link Main}),
 * {@code --help} and {@code --version}.
 */
final class BulkfetchCommand {

    private BulkfetchCommand() {
    }

    /** The top command's model. */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("bulkfetch");
        spec.usageMessage()
                .description("Fetch many URLs at once, fast, without hammering the server.");
        new Options(spec).helpAndVersion(new Version());
        return spec;
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BulkfetchCommand.class.getPackage().getImplementationVersion();
            return new String[] {"bulkfetch " + (version == null ? "dev" : version)
                    + " (Java " + Runtime.version() + ")"};
        }
    }
}
