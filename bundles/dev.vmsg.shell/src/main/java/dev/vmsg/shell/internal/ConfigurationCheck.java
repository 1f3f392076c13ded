package dev.vmsg.shell.internal;

import java.util.List;
import java.util.Map;

/**
 * Checks the values of a new configuration before it is stored, so that {@code vmsg:attach}
 * refuses a bad value with a line naming the key instead of leaving a component that never
 * activates behind.
 */
@FunctionalInterface
interface ConfigurationCheck {

    /** Accepts everything (no metatype service to ask). */
    ConfigurationCheck NONE = (factoryPid, values) -> List.of();

    /**
     * The problems of {@code values} for a configuration of {@code factoryPid}, one line each
     * ({@code key=value: why}); empty when they are valid or nothing describes them.
     */
    List<String> problems(String factoryPid, Map<String, String> values);
}
