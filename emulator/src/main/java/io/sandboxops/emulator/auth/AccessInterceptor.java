package io.sandboxops.emulator.auth;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/** Every gRPC call: addressed to loopback, from no web page, with a valid access token; otherwise refused. */
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
            tokens.authenticate(headers.get(AUTHORIZATION));
        } catch (AccessTokens.Unauthenticated e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
