package io.agentstacks.infra;

import java.nio.file.Path;

/** Synthesizes the agent-stack template into the directory given, in a JVM of its own (AgentStackTemplateTest). */
public final class SynthesizeAgentStack {

    private SynthesizeAgentStack() {
    }

    public static void main(String[] args) {
        AgentStackTemplate.synthesize(Path.of(args[0]));
    }
}
