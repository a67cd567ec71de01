package io.sandboxops.emulator.faults;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/** Applies the {@link FaultInjector}'s rules to every gRPC call before it reaches a service. */
public final class FaultInterceptor implements ServerInterceptor {

    private final FaultInjector faults;

    public FaultInterceptor(FaultInjector faults) {
        this.faults = faults;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<FaultInjector.Fault> fault = faults.onCall(call.getMethodDescriptor().getFullMethodName());
        if (fault.isPresent()) {
            FaultInjector.sleep(fault.get().latency());
            if (fault.get().error().isPresent()) {
                call.close(Status.fromCode(fault.get().error().get())
                        .withDescription("injected fault on " + call.getMethodDescriptor().getFullMethodName()),
                        new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
        return next.startCall(call, headers);
    }
}
