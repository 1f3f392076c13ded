package dev.vmsg.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * SET_DRIVER_FEATURES request (0x04): the driver's accepted features, {@code numBlocks} blocks from {@code blockIndex}; block k holds
 * feature bits 32k..32k+31. The array is not copied: treat it as read-only. Spec §1.3.
 */
public record SetDriverFeaturesRequest(int blockIndex, int numBlocks, int[] features) implements TransportMessage {

    /** @throws IllegalArgumentException if {@code features.length != numBlocks} */
    public SetDriverFeaturesRequest {
        Objects.requireNonNull(features, "features");
        if (features.length != numBlocks) {
            throw new IllegalArgumentException("numBlocks " + Integer.toUnsignedString(numBlocks)
                    + " does not match " + features.length + " feature blocks");
        }
    }

    /** The accepted features as a set of bit numbers (blocks placed at {@code blockIndex}). */
    public FeatureSet featureSet() {
        return FeatureSet.fromBlocks(blockIndex, features);
    }

    @Override
    public int msgId() {
        return MessageIds.SET_DRIVER_FEATURES;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REQUEST;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetDriverFeaturesRequest r && r.blockIndex == blockIndex && r.numBlocks == numBlocks
                && Arrays.equals(r.features, features);
    }

    @Override
    public int hashCode() {
        return (31 * blockIndex + numBlocks) * 31 + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return "SetDriverFeaturesRequest[blockIndex=" + Integer.toUnsignedString(blockIndex) + ", numBlocks="
                + Integer.toUnsignedString(numBlocks) + ", features=" + Hex.words(features) + "]";
    }
}
