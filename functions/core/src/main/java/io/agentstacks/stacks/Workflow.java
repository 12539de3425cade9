package io.agentstacks.stacks;

/** The control plane's state machines, by the name of their {@code statemachines/<name>.asl.json}. */
public enum Workflow {
    PROVISION_STACK("provision-stack"),
    DESTROY_STACK("destroy-stack"),
    RELEASE_MAC_HOSTS("release-mac-hosts");

    private final String definitionName;

    Workflow(String definitionName) {
        this.definitionName = definitionName;
    }

    public String definitionName() {
        return definitionName;
    }
}
