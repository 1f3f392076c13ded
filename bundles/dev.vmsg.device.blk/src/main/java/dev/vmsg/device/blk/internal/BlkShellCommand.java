package dev.vmsg.device.blk.internal;

import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo commands {@code vmsg:blk-info} and {@code vmsg:blk-read}. Gogo maps a function name to
 * a Java method of the same name, which a hyphen rules out, unless the command object is a Gogo
 * {@link Function}: hence this thin adapter over {@link BlkCommands}. The Gogo package is imported
 * optionally; where no shell runs, nobody asks for this service and its class is never loaded.
 */
public final class BlkShellCommand {

    private BlkShellCommand() {
    }

    private static String text(Object o) {
        return String.valueOf(o);
    }

    /** {@code vmsg:blk-info [device]}. */
    @Component(service = Function.class, property = {"osgi.command.scope=vmsg", "osgi.command.function=blk-info"})
    public static final class Info implements Function {
        private final BlkCommands commands;

        @Activate
        public Info(@Reference BlkCommands commands) {
            this.commands = commands;
        }

        @Override
        public Object execute(CommandSession session, List<Object> args) {
            return switch (args.size()) {
                case 0 -> commands.blkinfo();
                case 1 -> commands.blkinfo(text(args.get(0)));
                default -> "usage: vmsg:blk-info [<bus/number>]";
            };
        }
    }

    /** {@code vmsg:blk-read <device> <offset> <length>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=vmsg", "osgi.command.function=blk-read"})
    public static final class Read implements Function {
        private final BlkCommands commands;

        @Activate
        public Read(@Reference BlkCommands commands) {
            this.commands = commands;
        }

        @Override
        public Object execute(CommandSession session, List<Object> args) {
            if (args.size() != 3) {
                return "usage: vmsg:blk-read <bus/number> <offset> <length>";
            }
            try {
                return commands.blkread(text(args.get(0)), Long.decode(text(args.get(1))),
                        Integer.decode(text(args.get(2))));
            } catch (NumberFormatException e) {
                return "blk-read: offset and length must be numbers (decimal or 0x hex): " + e.getMessage();
            }
        }
    }
}
