package io.resplit.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the leak reports Netty's ResourceLeakDetector logs (the tests run it at "paranoid"), so that
 * {@link LeakCheckExtension} can fail a test class that leaked a buffer instead of leaving it in a log.
 */
public final class LeakCounter extends AppenderBase<ILoggingEvent> {
    private static final CopyOnWriteArrayList<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().contains("LEAK")) {
            REPORTS.add(event.getFormattedMessage());
        }
    }

    static java.util.List<String> reports() {
        return REPORTS;
    }
}
