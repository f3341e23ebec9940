package dev.bulkfetch.input;

/**
 * Words of the shell commands bulkfetch's messages suggest (the iconv that converts a UTF-16
 * list, the tail that takes the lines a run left): a file's name, quoted so that one with a
 * space or a quote in it is still one word when the command is pasted into a POSIX shell, and
 * one that begins with a dash is not taken for an option.
 */
public final class ShellWords {

    private ShellWords() {
    }

    /**
     * {@code text} as one word of a shell command: as it is when it holds nothing a shell
     * reads otherwise, else in single quotes, each {@code '} in it written {@code '\''}.
     */
    private static String word(String text) {
        return text.matches("[\\w./:+-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }

    /**
     * {@code file} as one word of a command that takes it as an operand: as {@link #word}, and
     * {@code ./}-prefixed when it begins with {@code -}, which quoting does not keep tail or
     * iconv from reading as an option.
     */
    public static String file(java.nio.file.Path file) {
        String name = file.toString();
        return word(name.startsWith("-") ? "./" + name : name);
    }
}
