package io.agentstacks.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Moves simulated time {@code speed} times faster than real time, on a thread of its own: the local server's
 * clock. Every few milliseconds it runs the simulation up to the simulated instant that corresponds to the real
 * time elapsed; when events are dense the simulation lags and catches up.
 */
final class RealTimePacer {

    private static final long TICK_MILLIS = 20;

    private final SimulatedTime time;
    private final double speed;
    private final Consumer<RuntimeException> onFailure;
    private final Thread thread;
    private volatile boolean running = true;

    RealTimePacer(SimulatedTime time, double speed, Consumer<RuntimeException> onFailure) {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive number, got " + speed);
        }
        this.time = Objects.requireNonNull(time, "time");
        this.speed = speed;
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.thread = new Thread(this::run, "local-clock");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long realStart = System.nanoTime();
        Instant simulatedStart = time.now();
        while (running) {
            long elapsedNanos = System.nanoTime() - realStart;
            Instant target = simulatedStart.plus(Duration.ofNanos((long) (elapsedNanos * speed)));
            try {
                if (target.isAfter(time.now())) {
                    time.runUntil(target);
                }
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    running = false;
                    onFailure.accept(e);
                }
                return;
            }
        }
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
