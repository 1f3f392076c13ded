package dev.vmsg.transport.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Optional configuration of the transport core (PID {@code dev.vmsg.transport}). */
@ObjectClassDefinition(name = "vmsg transport", description = "Timing of the virtio-msg driver transport.")
@interface TransportConfig {

    @AttributeDefinition(name = "Request timeout (ms)", min = "1",
            description = "Deadline of one request/response; a device that misses it is marked broken.")
    long request_timeout_ms() default 2000;

    @AttributeDefinition(name = "Reset timeout (ms)", min = "1",
            description = "How long the driver polls for a reset to complete.")
    long reset_timeout_ms() default 10_000;

    @AttributeDefinition(name = "Reset poll interval (ms)", min = "1")
    long reset_poll_ms() default 10;

    @AttributeDefinition(name = "Removal bound (ms)", min = "1",
            description = "How long stopping one device may take before its thread is abandoned.")
    long remove_bound_ms() default 5000;

    @AttributeDefinition(name = "Polling budget (us)", min = "0", max = "1000000",
            description = "How long a device thread polls its queues after serving them, and a driver caller polls "
                    + "for its completions, before sleeping until the next event message. 0 turns polling off.")
    long poll_us() default TransportOptions.DEFAULT_POLL_MICROS;
}
