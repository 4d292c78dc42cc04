package io.zerodds.flatdata.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java snippets of a Markdown document (the README, a guide under docs/), taken as written, so
 * that a test runs what a reader copies ({@link ChildProcess#javaSource}).
 */
public final class MarkdownSnippets {
    private MarkdownSnippets() {
    }

    /**
     * The {@code ```java} blocks of the section of {@code file} that starts with the line
     * {@code heading} (up to the next {@code ## } heading), in order.
     *
     * @throws AssertionError when the file has no such section
     */
    public static List<String> javaBlocks(Path file, String heading) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new AssertionError(file + " has no section '" + heading + "'");
        }
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (block == null && line.equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /**
     * A source file of one class {@code className} whose {@code main} runs {@code body}: the
     * snippet's {@code import} lines move to the top, {@code imports} are added before them.
     */
    public static String program(String className, String imports, String body) {
        StringBuilder head = new StringBuilder(imports).append('\n');
        StringBuilder main = new StringBuilder();
        for (String line : body.split("\n", -1)) {
            if (line.startsWith("import ")) {
                head.append(line).append('\n');
            } else {
                main.append(line).append('\n');
            }
        }
        return head + "public class " + className + " {\n    public static void main(String[] args) throws Exception {\n"
                + main + "    }\n}\n";
    }
}
