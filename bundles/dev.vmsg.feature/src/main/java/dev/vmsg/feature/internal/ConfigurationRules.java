package dev.vmsg.feature.internal;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.felix.metatype.AD;
import org.apache.felix.metatype.Designate;
import org.apache.felix.metatype.MetaData;
import org.apache.felix.metatype.MetaDataReader;
import org.apache.felix.metatype.OCD;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;

/**
 * Checks a configuration against the metatype of the bundle that designates its PID (read with the
 * Felix metatype reader from {@code OSGI-INF/metatype/*.xml}, as the Metatype service does): every
 * value must parse as the attribute's type and lie in its range or among its options. A problem is
 * one line naming the PID, the key, the value and what is expected. Configurations whose PID no
 * installed bundle describes are not checked (their bundle may come later).
 */
public final class ConfigurationRules {

    /** The attributes designated for a PID (factory PID for a factory configuration), or null. */
    static Map<String, AD> attributes(Collection<Bundle> bundles, String pid, boolean factory) {
        for (Bundle b : bundles) {
            Enumeration<URL> entries = b.getState() == Bundle.UNINSTALLED ? null
                    : b.findEntries("OSGI-INF/metatype", "*.xml", false);
            while (entries != null && entries.hasMoreElements()) {
                MetaData md;
                try {
                    md = new MetaDataReader().parse(entries.nextElement());
                } catch (IOException | RuntimeException e) {
                    continue; // an unreadable document describes nothing we can check
                }
                if (md == null || md.getDesignates() == null) {
                    continue;
                }
                for (Object o : md.getDesignates()) {
                    Designate d = (Designate) o;
                    String designated = factory ? d.getFactoryPid() : d.getPid();
                    if (pid.equals(designated) && d.getObject() != null) {
                        OCD ocd = (OCD) md.getObjectClassDefinitions().get(d.getObject().getOcdRef());
                        if (ocd != null && ocd.getAttributeDefinitions() != null) {
                            @SuppressWarnings("unchecked")
                            Map<String, AD> ads = ocd.getAttributeDefinitions();
                            return ads;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * The problems of a configuration: one line each, empty when it is valid or not described.
     *
     * @param pid       the configuration's PID ({@code factory~name} for a named factory configuration)
     * @param values    its properties
     */
    public static List<String> check(Collection<Bundle> bundles, String pid, Dictionary<String, ?> values) {
        int tilde = pid.indexOf('~');
        Map<String, AD> ads = tilde > 0 ? attributes(bundles, pid.substring(0, tilde), true)
                : attributes(bundles, pid, false);
        List<String> problems = new ArrayList<>();
        if (ads == null) {
            return problems;
        }
        for (AD ad : ads.values()) {
            Object value = values.get(ad.getID());
            if (value == null) {
                continue; // the default applies
            }
            for (String text : texts(value)) {
                String verdict = ad.validate(text);
                if (verdict != null && !verdict.isEmpty()) {
                    problems.add(pid + ": " + ad.getID() + " = '" + text + "': expected " + expected(ad));
                    break;
                }
            }
        }
        return problems;
    }

    private static List<String> texts(Object value) {
        if (value instanceof Object[] array) {
            return Arrays.stream(array).map(String::valueOf).map(String::trim).toList();
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).map(String::trim).toList();
        }
        if (value.getClass().isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                out.add(String.valueOf(java.lang.reflect.Array.get(value, i)));
            }
            return out;
        }
        return List.of(String.valueOf(value).trim());
    }

    /** What the attribute takes, in words: "an Integer from 1 to 32768", "one of REV1, RFC3, RFC2". */
    static String expected(AD ad) {
        String[] options = ad.getOptionValues();
        if (options != null && options.length > 0) {
            return "one of " + String.join(", ", options);
        }
        String type = typeName(ad.getType());
        String min = ad.getMin();
        String max = ad.getMax();
        String article = "aeiouAEIOU".indexOf(type.charAt(0)) >= 0 ? "an " : "a ";
        if (ad.getType() == AttributeDefinition.STRING) {
            if (min != null || max != null) {
                return "a string of " + (min == null ? "0" : min) + " to " + (max == null ? "any number of" : max)
                        + " characters";
            }
            return "a string";
        }
        if (min != null && max != null) {
            return article + type + " from " + min + " to " + max;
        }
        if (min != null) {
            return article + type + " of at least " + min;
        }
        if (max != null) {
            return article + type + " of at most " + max;
        }
        return article + type + (ad.getType() == AttributeDefinition.BOOLEAN ? " (true or false)" : "");
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> "Long";
            case AttributeDefinition.INTEGER -> "Integer";
            case AttributeDefinition.SHORT -> "Short";
            case AttributeDefinition.CHARACTER -> "Character";
            case AttributeDefinition.BYTE -> "Byte";
            case AttributeDefinition.DOUBLE -> "Double";
            case AttributeDefinition.FLOAT -> "Float";
            case AttributeDefinition.BOOLEAN -> "Boolean";
            default -> "String";
        };
    }

    /** The problems as one line (for a log entry or a command's answer). */
    static String oneLine(List<String> problems) {
        return problems.stream().collect(Collectors.joining("; "));
    }

    private ConfigurationRules() {
    }
}
