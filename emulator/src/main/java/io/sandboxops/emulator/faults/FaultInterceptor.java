package io.sandboxops.emulator.faults;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Applies the {@link FaultInjector}'s decision to every gRPC call before it reaches a service: the call starts (or
 * fails) when its latency is over, on the injector's timer, and holds no thread while it waits.
 */
public final class FaultInterceptor implements ServerInterceptor {

    private final FaultInjector faults;

    public FaultInterceptor(FaultInjector faults) {
        this.faults = faults;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<FaultInjector.Fault> fault = faults.onCall(method);
        if (fault.isEmpty()) {
            return next.startCall(call, headers);
        }
        if (fault.get().latency().isZero()) {
            return begin(fault.get(), method, call, headers, next);
        }
        DelayedListener<Q> delayed = new DelayedListener<>();
        // The interceptors outside this one (the access check) attached a context the service reads: keep it.
        Context context = Context.current();
        faults.after(fault.get().latency(), context.wrap(() -> {
            if (delayed.cancelled()) {
                delayed.start(new ServerCall.Listener<>() {
                });
                return;
            }
            delayed.start(begin(fault.get(), method, call, headers, next));
        }));
        return delayed;
    }

    private static <Q, R> ServerCall.Listener<Q> begin(FaultInjector.Fault fault, String method, ServerCall<Q, R> call,
                                                       Metadata headers, ServerCallHandler<Q, R> next) {
        if (fault.error().isPresent()) {
            call.close(Status.fromCode(fault.error().get()).withDescription("injected fault on " + method), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }

    /**
     * Stands in for the service's listener while the call waits: events the transport delivers meanwhile (a
     * cancellation, readiness) are kept and replayed, in order, to the service's listener once the call starts.
     */
    private static final class DelayedListener<Q> extends ServerCall.Listener<Q> {
        private List<Consumer<ServerCall.Listener<Q>>> pending = new ArrayList<>();
        private ServerCall.Listener<Q> delegate;
        private volatile boolean cancelled;

        boolean cancelled() {
            return cancelled;
        }

        void start(ServerCall.Listener<Q> listener) {
            while (true) {
                List<Consumer<ServerCall.Listener<Q>>> replay;
                synchronized (this) {
                    if (pending.isEmpty()) {
                        pending = null;
                        delegate = listener;
                        return;
                    }
                    replay = pending;
                    pending = new ArrayList<>();
                }
                replay.forEach(event -> event.accept(listener));
            }
        }

        private void deliver(Consumer<ServerCall.Listener<Q>> event) {
            ServerCall.Listener<Q> target;
            synchronized (this) {
                if (delegate == null) {
                    pending.add(event);
                    return;
                }
                target = delegate;
            }
            event.accept(target);
        }

        @Override
        public void onMessage(Q message) {
            deliver(l -> l.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            deliver(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            cancelled = true;
            deliver(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            deliver(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            deliver(ServerCall.Listener::onReady);
        }
    }
}
