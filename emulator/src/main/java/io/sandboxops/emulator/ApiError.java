package io.sandboxops.emulator;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * An error as the real Google APIs return it: a canonical code, a message, and for INVALID_ARGUMENT a
 * {@code google.rpc.BadRequest} detail naming the field, so clients can act on it the same way.
 */
public final class ApiError extends RuntimeException {

    private final Code code;
    private final String field;

    private ApiError(Code code, String message, String field) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public static ApiError notFound(String message) {
        return new ApiError(Code.NOT_FOUND, message, null);
    }

    public static ApiError alreadyExists(String message) {
        return new ApiError(Code.ALREADY_EXISTS, message, null);
    }

    /** Names the offending field both in the message and in a BadRequest field violation. */
    public static ApiError invalidArgument(String field, String description) {
        return new ApiError(Code.INVALID_ARGUMENT, "Violation in " + field + ": " + description, field);
    }

    /** INVALID_ARGUMENT in the words Cloud Monitoring uses: {@code Field F had an invalid value of "V": reason}. */
    public static ApiError invalidValue(String field, String value, String reason) {
        return new ApiError(Code.INVALID_ARGUMENT, "Field " + field + " had an invalid value of \"" + value + "\": " + reason, field);
    }

    public static ApiError failedPrecondition(String message) {
        return new ApiError(Code.FAILED_PRECONDITION, message, null);
    }

    /** A concurrent change, such as a stale etag: HTTP 409, worth reading again and retrying. */
    public static ApiError aborted(String message) {
        return new ApiError(Code.ABORTED, message, null);
    }

    public static ApiError of(Code code, String message) {
        return new ApiError(code, message, null);
    }

    public Code code() {
        return code;
    }

    public StatusRuntimeException toStatusException() {
        com.google.rpc.Status.Builder status =
                com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(getMessage());
        if (field != null) {
            status.addDetails(Any.pack(BadRequest.newBuilder()
                    .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(field)
                            .setDescription(getMessage()))
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    /** Runs one unary call, turning an {@link ApiError} into the gRPC status the client expects. */
    public static <T> void respond(StreamObserver<T> observer, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (ApiError e) {
            observer.onError(e.toStatusException());
            return;
        } catch (RuntimeException e) {
            observer.onError(io.grpc.Status.INTERNAL
                    .withDescription("emulator failure: " + e)
                    .withCause(e)
                    .asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
