package dev.vmsg.transport.internal;

/**
 * Where the transport reports what it did and what it survived. The DS shell adapts it to the
 * OSGi Log Service; tests collect it.
 */
public interface TransportLog {

    void info(String message);

    void warn(String message);

    void debug(String message);

    /** A log that drops everything (benchmarks). */
    TransportLog SILENT = new TransportLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void debug(String message) {
        }
    };
}
