package dev.vmsg.feature.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * A bounded wait for something to appear in the container: a service matching an LDAP filter, or an
 * active bundle of a symbolic name. The deploy folder installs and starts jars in the background and
 * DS registers their services after that; a script waits with this before it uses them. Woken by
 * bundle and service events, with a 200 ms recheck as a floor.
 */
final class ContainerWait {

    static final int MAX_SECONDS = 600;

    private final BundleContext context;

    ContainerWait(BundleContext context) {
        this.context = context;
    }

    /** @return one line: what appeared, or that it did not within {@code seconds} (1..600) */
    String waitFor(String what, int seconds) throws InterruptedException {
        boolean service = what.startsWith("(");
        Filter filter;
        try {
            filter = service ? context.createFilter(what) : null;
        } catch (InvalidSyntaxException e) {
            return "feature:waitfor: not a valid filter: " + what + " (" + e.getMessage() + ")";
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, Math.min(seconds, MAX_SECONDS)));
        Semaphore changed = new Semaphore(0);
        BundleListener bundles = e -> changed.release();
        ServiceListener services = e -> changed.release();
        context.addBundleListener(bundles);
        context.addServiceListener(services);
        try {
            while (true) {
                String found = service ? findService(filter) : findActive(what);
                if (found != null) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return "feature:waitfor: no " + (service ? "service " : "active bundle ") + what + " after "
                            + seconds + " s";
                }
                changed.tryAcquire(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            }
        } finally {
            context.removeBundleListener(bundles);
            context.removeServiceListener(services);
        }
    }

    private String findActive(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return "bundle " + symbolicName + " [" + b.getBundleId() + "] is active";
            }
        }
        return null;
    }

    private String findService(Filter filter) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, filter.toString());
            return refs == null ? null : "service " + filter + " is registered";
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("a parsed filter did not parse again: " + filter, e);
        }
    }
}
