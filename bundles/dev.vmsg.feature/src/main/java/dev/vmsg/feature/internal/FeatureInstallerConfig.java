package dev.vmsg.feature.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the feature installer (PID {@code dev.vmsg.feature}); optional. */
@ObjectClassDefinition(name = "vmsg feature installer",
        description = "Where the feature:* commands find feature documents and the bundles they list.")
@interface FeatureInstallerConfig {

    @AttributeDefinition(name = "Feature folders", description = "Folders of OSGi Feature documents (*.json). "
            + "Empty: the framework property vmsg.feature.dirs (comma-separated).")
    String[] features() default {};

    @AttributeDefinition(name = "Bundle repository", description = "Folders in Maven layout holding the bundles. "
            + "Empty: the framework property vmsg.feature.repository (comma-separated).")
    String[] repository() default {};
}
