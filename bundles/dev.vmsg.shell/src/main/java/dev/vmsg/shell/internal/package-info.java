/** Gogo commands of scope {@code vmsg}: plain services with command properties, reading {@link dev.vmsg.admin.VmsgAdmin}. */
package dev.vmsg.shell.internal;
