package dev.vmsg.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/PLUGIN-GUIDE.md stays true: its {@code sh} blocks run in order from the repository root, each
 * {@code sh vmsg-session} block starts vmsg non-interactively ({@code ... script FILE}) with the
 * {@code gosh} blocks that follow it as the session's commands, whose output must match the
 * {@code # expect:} (and must not match the {@code # expect-not:}) lines after each command, and
 * every {@code java} excerpt must still be in the file named on its first line.
 */
class PluginGuideTest {

    static final Path ROOT = FeatureDocumentsTest.ROOT;
    static final Path GUIDE = ROOT.resolve("docs/PLUGIN-GUIDE.md");
    static final Pattern BLOCK = Pattern.compile("(?ms)^```(\\w+)(?: ([\\w-]+))?\\n(.*?)^```\\s*$");
    static final String MARK = "@@guide-command ";

    record Block(String lang, String kind, String text) {
    }

    record Command(String line, List<String> expect, List<String> expectNot) {
    }

    static List<Block> blocks() throws IOException {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(GUIDE));
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3)));
        }
        return out;
    }

    @Test
    void everyJavaExcerptIsStillInTheFileItNames() throws IOException {
        int checked = 0;
        for (Block b : blocks()) {
            if (!b.lang().equals("java")) {
                continue;
            }
            String[] lines = b.text().split("\n", 2);
            assertTrue(lines[0].startsWith("// "), "a java excerpt starts with // <file>: " + lines[0]);
            Path file = ROOT.resolve(lines[0].substring(3).trim());
            assertTrue(Files.isRegularFile(file), "excerpt names a missing file: " + file);
            assertTrue(Files.readString(file).contains(lines[1]), "the excerpt is no longer in " + file + ":\n" + lines[1]);
            checked++;
        }
        assertTrue(checked >= 4, "java excerpts checked: " + checked);
    }

    @Test
    void everyCommandOfTheGuideRunsAndPrintsWhatItSays() throws Exception {
        List<Block> blocks = blocks();
        int shell = 0;
        int sessions = 0;
        int commands = 0;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (b.lang().equals("sh") && b.kind().isEmpty()) {
                run(b.text(), "sh block " + (++shell));
            } else if (b.lang().equals("sh") && b.kind().equals("vmsg-session")) {
                List<Command> session = new ArrayList<>();
                while (i + 1 < blocks.size() && blocks.get(i + 1).lang().equals("gosh")) {
                    session.addAll(commands(blocks.get(++i).text()));
                }
                assertFalse(session.isEmpty(), "a vmsg session without gosh commands");
                commands += session.size();
                runSession(b.text().trim(), session, ++sessions);
            } else if (b.lang().equals("gosh")) {
                fail("a gosh block outside a vmsg session: " + b.text());
            } else if (!b.lang().equals("java")) {
                fail("a block the checker does not know (```" + b.lang() + " " + b.kind() + "): add it to PluginGuideTest");
            }
        }
        assertTrue(shell >= 3 && sessions >= 2 && commands >= 10,
                "shell blocks " + shell + ", sessions " + sessions + ", commands " + commands);
    }

    static List<Command> commands(String gosh) {
        List<Command> out = new ArrayList<>();
        for (String raw : gosh.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# expect:")) {
                out.get(out.size() - 1).expect().add(line.substring("# expect:".length()).strip());
            } else if (line.startsWith("# expect-not:")) {
                out.get(out.size() - 1).expectNot().add(line.substring("# expect-not:".length()).strip());
            } else if (!line.startsWith("#")) {
                out.add(new Command(line, new ArrayList<>(), new ArrayList<>()));
            }
        }
        return out;
    }

    static String run(String script, String what) throws Exception {
        Path log = Files.createTempFile("vmsg-guide", ".log");
        Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(what + " did not end within 15 minutes:\n" + script);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), what + " failed:\n" + script + "\n--- output ---\n" + out);
        return out;
    }

    static void runSession(String start, List<Command> commands, int n) throws Exception {
        StringBuilder gosh = new StringBuilder("try {\n");
        for (int i = 0; i < commands.size(); i++) {
            gosh.append("    echo \"").append(MARK).append(i).append("\"\n");
            gosh.append("    echo (").append(commands.get(i).line()).append(")\n");
        }
        gosh.append("    echo \"").append(MARK).append("end\"\n");
        gosh.append("    echo \"vmsg-script-status: OK\"\n} {\n    echo \"vmsg-script-status: FAILED \" $exception\n}\nstop 0\n");
        Path script = Files.createTempFile("vmsg-guide-session", ".gosh");
        Files.writeString(script, gosh);
        String out = run(start + " script " + script, "vmsg session " + n + " (" + start + ")");
        for (int i = 0; i < commands.size(); i++) {
            int from = out.indexOf(MARK + i + "\n");
            int to = out.indexOf(MARK + (i + 1 < commands.size() ? String.valueOf(i + 1) : "end") + "\n");
            assertTrue(from >= 0 && to > from, "no output for " + commands.get(i).line() + ":\n" + out);
            String section = out.substring(from, to);
            for (String e : commands.get(i).expect()) {
                assertTrue(Pattern.compile(e).matcher(section).find(),
                        commands.get(i).line() + " should print /" + e + "/ but printed:\n" + section);
            }
            for (String e : commands.get(i).expectNot()) {
                assertFalse(Pattern.compile(e).matcher(section).find(),
                        commands.get(i).line() + " should not print /" + e + "/ but printed:\n" + section);
            }
        }
    }
}
