package io.agentstacks.infra;

import java.nio.file.Path;

/**
 * The control plane's Lambdas: module (and jar) name, handler, memory and timeout. The jar of each is
 * {@code functions/<module>/target/<module>.jar} (docs: /work/notes/contracts.md, "Lambda modules").
 */
public enum ControlPlaneFunction {

    STACK_API("stack-api", "io.agentstacks.stackapi.StackApiHandler::handleRequest", 1024, 29,
            "Stack specs: POST/GET/DELETE /stacks behind the IAM-authorized REST API"),
    STACK_DEPLOYER("stack-deployer", "io.agentstacks.deployer.StackDeployerFunction::handleRequest", 1024, 120,
            "Agent stacks: the CloudFormation steps of provision-stack and destroy-stack, and AMI roll-outs"),
    DEMAND_POLLER("demand-poller", "io.agentstacks.demandpoller.DemandPollerFunction::handleRequest", 1024, 30,
            "Reads every live stack's job demand from Semaphore and puts DemandObserved events"),
    SCALER("scaler", "io.agentstacks.scaler.ScalerFunction::handleRequest", 512, 30,
            "Sets an agent stack's desired capacity from a DemandObserved event"),
    TOKEN_ROTATOR("token-rotator", "io.agentstacks.tokenrotator.TokenRotatorFunction::handleRequest", 512, 120,
            "Registration tokens: PUT /stacks/{name}/token and the daily token check"),
    MAC_HOST_ALLOCATOR("mac-host-allocator", "io.agentstacks.machostallocator.MacHostAllocatorFunction::handleRequest", 512, 120,
            "macOS stacks: dedicated hosts and the host resource group"),
    MAC_HOST_RELEASER("mac-host-releaser", "io.agentstacks.machostreleaser.MacHostReleaserFunction::handleRequest", 512, 120,
            "macOS stacks: releases dedicated hosts once empty, scrubbed and past 24 hours");

    private final String module;
    private final String handler;
    private final int memoryMb;
    private final int timeoutSeconds;
    private final String description;

    ControlPlaneFunction(String module, String handler, int memoryMb, int timeoutSeconds, String description) {
        this.module = module;
        this.handler = handler;
        this.memoryMb = memoryMb;
        this.timeoutSeconds = timeoutSeconds;
        this.description = description;
    }

    public String module() {
        return module;
    }

    public String handler() {
        return handler;
    }

    /** The handler's class, as the jar must hold it. */
    public String handlerClass() {
        return handler.substring(0, handler.indexOf("::"));
    }

    public int memoryMb() {
        return memoryMb;
    }

    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    public String description() {
        return description;
    }

    /** {@code functions/<module>/target/<module>.jar} under the project root. */
    public Path jar(Path root) {
        return root.resolve("functions").resolve(module).resolve("target").resolve(module + ".jar");
    }
}
