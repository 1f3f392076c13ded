package dev.vmsg.feature.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Properties;

/**
 * A deploy-folder file {@code <factory pid>~<name>.cfg}, or {@code <factory pid>-<name>.cfg} for a
 * vmsg factory PID ({@code dev.vmsg.*}): one named factory configuration (Configuration Admin 1.6),
 * in the {@code key = value} properties syntax FileInstall reads. FileInstall 3.7.4 knows only the
 * {@code -} form; {@link NamedConfigurationInstaller} gives it the {@code ~} form, and checks both
 * forms of vmsg configurations against their metatype before they reach Configuration Admin.
 */
public record NamedConfigurationFile(String factoryPid, String name) {

    /** Factory PIDs whose {@code -} form files are handled here too (and checked). */
    static final String VMSG_PIDS = "dev.vmsg.";

    /** The file's configuration, or null when the file name is not {@code <factory pid>~<name>.cfg}. */
    public static NamedConfigurationFile of(String fileName) {
        if (!fileName.endsWith(".cfg")) {
            return null;
        }
        String base = fileName.substring(0, fileName.length() - 4);
        int at = base.indexOf('~');
        if (at < 0 && base.startsWith(VMSG_PIDS)) {
            at = base.indexOf('-'); // FileInstall's form: the factory PID ends at the first '-'
        }
        if (at <= 0 || at == base.length() - 1) {
            return null;
        }
        return new NamedConfigurationFile(base.substring(0, at), base.substring(at + 1));
    }

    /** The configuration's PID: {@code factoryPid~name}. */
    public String pid() {
        return factoryPid + "~" + name;
    }

    /** The file's properties, every value a string (as FileInstall gives them for an untyped .cfg). */
    public static Dictionary<String, Object> read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        }
        Dictionary<String, Object> out = new Hashtable<>();
        p.forEach((k, v) -> out.put(((String) k).trim(), ((String) v).trim()));
        return out;
    }
}
