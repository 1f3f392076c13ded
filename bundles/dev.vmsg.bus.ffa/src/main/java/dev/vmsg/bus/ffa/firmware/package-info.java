/**
 * An emulated FF-A firmware (the partition manager's view of the FF-A v1.2 ABI) and the small
 * {@link dev.vmsg.bus.ffa.firmware.FfaConduit} interface a partition calls it through, so a real
 * conduit (SMC/HVC through a native helper) could replace the model. The model is strict: every
 * misuse returns the FF-A error real firmware would. Nothing here is exported.
 */
package dev.vmsg.bus.ffa.firmware;
