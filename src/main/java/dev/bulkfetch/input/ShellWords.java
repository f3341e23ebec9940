package dev.bulkfetch.input;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Words of the shell commands bulkfetch's messages suggest (the iconv that converts a UTF-16
 * list, the tail that takes the lines a run left): a file's name, quoted so that one with a
 * space or a quote in it is still one word when the command is pasted into a POSIX shell, and
 * one that begins with a dash is not taken for an option; and the file such a command is to
 * write, named so that pasting it destroys nothing.
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

    /**
     * The file beside {@code file} that a suggested {@code > FILE} is to write:
     * {@code stem + extension}, or, when a file of that name is there (a link too, one to
     * nothing among them), {@code stem-2 + extension}, {@code stem-3}...: a shell empties the
     * file it writes before the command runs, so neither the input nor a file already there
     * (an earlier suggestion's) may be named. The extension stays last, as auto reads it.
     */
    public static Path unusedBeside(Path file, String stem, String extension) {
        Path free = file.resolveSibling(stem + extension);
        for (int n = 2; Files.exists(free, LinkOption.NOFOLLOW_LINKS); n++) {
            free = file.resolveSibling(stem + "-" + n + extension);
        }
        return free;
    }
}
