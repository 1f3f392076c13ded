package dev.vmsg.bench;

import dev.vmsg.bus.DeviceEndpoint;
import dev.vmsg.bus.DriverEndpoint;
import dev.vmsg.bus.loopback.internal.LoopbackBus;
import dev.vmsg.wire.Header;
import dev.vmsg.wire.Message;
import dev.vmsg.wire.MessageCodec;
import dev.vmsg.wire.SetVqueueRequest;
import dev.vmsg.wire.VqueueFlags;
import dev.vmsg.wire.WireProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B2, 2-spinning-thread variant: a self-clocked QD1 ping-pong. The first request is sent from setup; from then on the
 * driver endpoint's delivery thread, on each response, decodes it and sends the next request itself (continuation
 * style), and the device delivery thread answers. Only the two delivery threads spin; the JMH thread sleeps 1 ms at a
 * time and counts completed round trips ({@code roundTrips} aux counter, per microsecond). ns per round trip =
 * 1000 / roundTrips. The same loop is run over two Agrona rings (two spinning threads) as the anchor, measured the same
 * way, so the measuring method cancels out of the ratio.
 *
 * <p>What this does NOT measure: handing a completion to an application thread that issued the request and waits for
 * it. With the current API that hand-off needs a third thread (see {@link LoopbackRoundTripBenchmark}); a caller-side
 * poll on the endpoint would remove it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SelfClockedRoundTripBenchmark {

    /** Round trips completed during the iteration; JMH divides by the iteration time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long roundTrips;
        long last = -1;

        @Setup(Level.Iteration)
        public void reset() {
            roundTrips = 0;
            last = -1;
        }

        void observe(AtomicLong completed) {
            long now = completed.get();
            if (last >= 0) {
                roundTrips += now - last;
            }
            last = now;
        }
    }

    @State(Scope.Benchmark)
    public static class LoopbackLoop {
        static final int MAX_MESSAGE = 264;
        final AtomicLong completed = new AtomicLong();
        volatile boolean running;
        volatile long lastValue;
        LoopbackBus bus;

        @Setup
        public void setup() {
            bus = LoopbackBus.create("bench", WireProfile.REV1, MAX_MESSAGE, 64 * 1024, System.err::println);
            DriverEndpoint driver = bus.driverEndpoint().get();
            DeviceEndpoint device = bus.deviceEndpoint().get();
            MessageCodec codec = new MessageCodec(WireProfile.REV1, MAX_MESSAGE);
            ByteBuffer slot = ByteBuffer.allocateDirect(MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);
            Message request = new SetVqueueRequest(2, VqueueFlags.ENABLE, 128, 0x4000_6000L, 0x4000_7000L,
                    0x4000_8000L);
            device.open(new DeviceResponder(device, WireProfile.REV1, MAX_MESSAGE));
            driver.open(frame -> {
                Header h = codec.readHeader(frame);
                Message r = codec.readMessage(h, frame);
                lastValue = CodecDispatchBenchmark.digest(r) + h.token();
                long n = completed.get() + 1;
                completed.lazySet(n);
                if (running) {
                    slot.clear();
                    codec.encode(request, 1, (int) n & 0xFFFF, slot);
                    slot.flip();
                    driver.send(slot);
                }
            });
            running = true;
            // The first request, from this thread; the loop then runs on the two delivery threads.
            synchronized (this) {
                ByteBuffer first = ByteBuffer.allocateDirect(MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);
                codec.encode(request, 1, 0, first);
                first.flip();
                driver.send(first);
            }
        }

        @TearDown
        public void tearDown() {
            running = false;
            bus.close();
        }
    }

    @State(Scope.Benchmark)
    public static class AgronaLoop {
        final AtomicLong completed = new AtomicLong();
        volatile boolean running = true;
        Thread pinger;
        Thread responder;

        @Setup
        public void setup() {
            OneToOneRingBuffer requests = AgronaRoundTripBenchmark.ring();
            OneToOneRingBuffer replies = AgronaRoundTripBenchmark.ring();
            UnsafeBuffer requestScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(40));
            UnsafeBuffer replyScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(40));
            MessageHandler respond = (type, buffer, index, length) -> {
                long a = buffer.getLong(index);
                long b = buffer.getLong(index + 32);
                replyScratch.putLong(0, a + 1);
                replyScratch.putLong(8, b);
                replyScratch.putLong(16, a ^ b);
                replyScratch.putLong(24, length);
                replyScratch.putLong(32, b + 1);
                while (!replies.write(2, replyScratch, 0, 40)) {
                    Thread.onSpinWait();
                }
            };
            long[] value = new long[1];
            MessageHandler complete = (type, buffer, index, length) -> {
                value[0] = buffer.getLong(index) + buffer.getLong(index + 32) + length;
                long n = completed.get() + 1;
                completed.lazySet(n);
                requestScratch.putLong(0, n);
                requestScratch.putLong(8, 0x4000_6000L);
                requestScratch.putLong(16, 0x4000_7000L);
                requestScratch.putLong(24, 0x4000_8000L);
                requestScratch.putLong(32, n);
                while (!requests.write(1, requestScratch, 0, 40)) {
                    Thread.onSpinWait();
                }
            };
            responder = new Thread(() -> {
                while (running) {
                    if (requests.read(respond) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }, "agrona-responder");
            pinger = new Thread(() -> {
                requests.write(1, requestScratch, 0, 40);
                while (running) {
                    if (replies.read(complete) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }, "agrona-pinger");
            responder.setDaemon(true);
            pinger.setDaemon(true);
            responder.start();
            pinger.start();
        }

        @TearDown
        public void tearDown() throws InterruptedException {
            running = false;
            responder.join(5000);
            pinger.join(5000);
        }
    }

    @Benchmark
    public void loopback(LoopbackLoop loop, Counters counters) throws InterruptedException {
        Thread.sleep(1);
        counters.observe(loop.completed);
    }

    @Benchmark
    public void agrona(AgronaLoop loop, Counters counters) throws InterruptedException {
        Thread.sleep(1);
        counters.observe(loop.completed);
    }
}
