package dev.vmsg.device.console.internal;

import org.osgi.service.log.Logger;

/** {@link ConsoleLog} over the OSGi Log Service. */
record OsgiConsoleLog(Logger logger) implements ConsoleLog {

    @Override
    public void info(String message) {
        logger.info(message);
    }

    @Override
    public void warn(String message) {
        logger.warn(message);
    }
}
