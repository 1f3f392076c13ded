package dev.vmsg.device.console.internal;

/** Where the console bundle's plain classes report; the DS shells pass the OSGi Logger. */
interface ConsoleLog {

    ConsoleLog SILENT = new ConsoleLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }
    };

    void info(String message);

    void warn(String message);
}
