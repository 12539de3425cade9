package io.agentstacks.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where the local control plane's functions and stand-ins write their log lines: kept in memory (the newest
 * {@link #CAPACITY}) for tests and {@code GET /local/log}, and handed to an optional mirror (a file, stderr).
 */
public final class LocalLog implements Consumer<String> {

    public static final int CAPACITY = 20_000;

    private final Deque<String> lines = new ArrayDeque<>();
    private final Consumer<String> mirror;
    private long total;

    public LocalLog() {
        this(line -> { });
    }

    public LocalLog(Consumer<String> mirror) {
        this.mirror = Objects.requireNonNull(mirror, "mirror");
    }

    @Override
    public void accept(String line) {
        synchronized (this) {
            lines.addLast(line);
            total++;
            if (lines.size() > CAPACITY) {
                lines.removeFirst();
            }
        }
        mirror.accept(line);
    }

    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Lines written so far, including those no longer kept. */
    public synchronized long total() {
        return total;
    }

    /** A PrintStream whose every line becomes a log line (for handlers that log to a stream). */
    public PrintStream printStream() {
        return new PrintStream(new LineSplitter(this), true, StandardCharsets.UTF_8);
    }

    private static final class LineSplitter extends OutputStream {
        private final Consumer<String> sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                sink.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (b != '\r') {
                line.write(b);
            }
        }
    }
}
