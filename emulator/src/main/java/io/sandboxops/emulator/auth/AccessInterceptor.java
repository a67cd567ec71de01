package io.sandboxops.emulator.auth;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Every gRPC call: addressed to loopback, from no web page, with the per-run token; otherwise refused. A downscoped
 * token is PERMISSION_DENIED: its boundaries speak of Cloud Storage only, so it never drives Cloud Run, Logging,
 * Monitoring or Operations (on Google the same holds: a boundary caps every permission outside it to nothing).
 */
public final class AccessInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> ORIGIN = Metadata.Key.of("origin", Metadata.ASCII_STRING_MARSHALLER);

    private final AccessTokens tokens;

    public AccessInterceptor(AccessTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<String> refusal = LoopbackOnly.refusal(call.getAuthority(), headers.get(ORIGIN));
        if (refusal.isPresent()) {
            call.close(Status.PERMISSION_DENIED.withDescription(refusal.get()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        try {
            if (!tokens.authenticate(headers.get(AUTHORIZATION)).root()) {
                call.close(Status.PERMISSION_DENIED.withDescription("a downscoped access token is limited to the Cloud Storage "
                        + "resources of its access boundary; " + call.getMethodDescriptor().getFullMethodName()
                        + " needs the local cloud's per-run token"), new Metadata());
                return new ServerCall.Listener<>() { };
            }
        } catch (AccessTokens.Unauthenticated e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
