/**
 * The feature installer: reads OSGi Feature documents (spec 159) from feature folders, finds their
 * bundles in a local repository (Maven layout), installs them and their configurations into the
 * running container and removes exactly that again. Plain classes; {@link
 * dev.vmsg.feature.internal.FeatureCommands} is the DS and Gogo shell around them.
 */
package dev.vmsg.feature.internal;
