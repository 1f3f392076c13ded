/**
 * Administration of the transport core: views of the buses it serves and the devices on
 * both sides, as plain data records for shells, tests and monitoring bundles; the operations an
 * administrator runs (PING, reset, message trace); and the {@link dev.vmsg.admin.Metrics} service.
 * 1.1: {@code Metrics}, {@code TrafficStats}, {@code LatencyStats}, {@code TraceRecord}, and
 * {@code VmsgAdmin.ping/readConfig/reset/trace/tracing/traceRecords}.
 */
@Export
@Version("1.1.0")
package dev.vmsg.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
