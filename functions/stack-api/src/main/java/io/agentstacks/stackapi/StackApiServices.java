package io.agentstacks.stackapi;

import io.agentstacks.stacks.StackCommands;

import java.util.Objects;

/** What the controller works with: the stack commands (core) and the log. One bean. */
public record StackApiServices(StackCommands commands, ApiLog log) {
    public StackApiServices {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(log, "log");
    }
}
