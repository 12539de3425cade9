package io.agentstacks.inmemory;

import io.agentstacks.stacks.StackRecord;
import io.agentstacks.stacks.StackRegistry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A registry that forwards the port's four primitives (get, list, listLive, put) to another one, for tests that
 * need to see or interfere with writes: override {@link #put} to record each write, or to let a rival writer in
 * first. Everything else — {@link #update}, the narrow writes — is the port's default, built on those primitives,
 * so an override of {@code put} sees every write they make.
 */
public class ForwardingStackRegistry implements StackRegistry {

    protected final StackRegistry delegate;

    public ForwardingStackRegistry(StackRegistry delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<StackRecord> get(String name) {
        return delegate.get(name);
    }

    @Override
    public Page list(Optional<String> pageToken, int limit) {
        return delegate.list(pageToken, limit);
    }

    @Override
    public List<StackRecord> listLive() {
        return delegate.listLive();
    }

    @Override
    public PutResult put(StackRecord next) {
        return delegate.put(next);
    }
}
