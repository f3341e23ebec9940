package dev.bulkfetch.input;

/**
 * Words of the shell commands bulkfetch's messages suggest (the iconv that converts a UTF-16
 * list, the tail that takes the lines a run left), quoted so that a name with a space or a
 * quote in it is still one word when the command is pasted into a POSIX shell.
 */
public final class ShellWords {

    private ShellWords() {
    }

    /**
     * {@code text} as one word of a shell command: as it is when it holds nothing a shell
     * reads otherwise, else in single quotes, each {@code '} in it written {@code '\''}.
     */
    public static String word(String text) {
        return text.matches("[\\w./:+-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
