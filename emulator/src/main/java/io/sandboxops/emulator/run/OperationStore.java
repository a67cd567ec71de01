package io.sandboxops.emulator.run;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import io.sandboxops.emulator.ApiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The long-running operations of the Cloud Run Admin API. An operation is created not done when the
 * work it stands for is still going (a RunJob until its execution ends, a service change until its
 * revision is ready) and is completed by that work; clients poll it with GetOperation or WaitOperation.
 */
final class OperationStore {

    private final Map<String, Operation> operations = new LinkedHashMap<>();

    /** Registers an operation under {@code locationName}; {@code done} ones carry their response already. */
    synchronized Operation start(String locationName, Message metadata) {
        String name = locationName + "/operations/" + UUID.randomUUID();
        Operation op = Operation.newBuilder().setName(name).setMetadata(Any.pack(metadata)).build();
        operations.put(name, op);
        return op;
    }

    synchronized Operation startDone(String locationName, Message metadata, Message response) {
        Operation op = start(locationName, metadata);
        return complete(op.getName(), metadata, response);
    }

    /** Marks an operation done with its response; the metadata is refreshed to the final state too. */
    synchronized Operation complete(String name, Message metadata, Message response) {
        Operation op = operations.get(name);
        if (op == null) {
            return null;
        }
        Operation done = op.toBuilder().setMetadata(Any.pack(metadata)).setDone(true).setResponse(Any.pack(response)).build();
        operations.put(name, done);
        notifyAll();
        return done;
    }

    synchronized Operation fail(String name, Message metadata, com.google.rpc.Code code, String message) {
        Operation op = operations.get(name);
        if (op == null) {
            return null;
        }
        Operation done = op.toBuilder().setMetadata(Any.pack(metadata)).setDone(true)
                .setError(Status.newBuilder().setCode(code.getNumber()).setMessage(message)).build();
        operations.put(name, done);
        notifyAll();
        return done;
    }

    /** Keeps the metadata of a running operation current, so GetOperation shows progress. */
    synchronized void updateMetadata(String name, Message metadata) {
        Operation op = operations.get(name);
        if (op != null && !op.getDone()) {
            operations.put(name, op.toBuilder().setMetadata(Any.pack(metadata)).build());
        }
    }

    synchronized Operation get(String name) {
        Operation op = operations.get(name);
        if (op == null) {
            throw ApiError.notFound("Operation " + name + " not found.");
        }
        return op;
    }

    /** WaitOperation: returns when the operation is done or {@code timeout} passed, whichever is first. */
    synchronized Operation await(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Operation op = get(name);
        while (!op.getDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            op = get(name);
        }
        return op;
    }

    synchronized List<Operation> list(String locationName) {
        List<Operation> out = new ArrayList<>();
        for (Operation op : operations.values()) {
            if (op.getName().startsWith(locationName + "/operations/")) {
                out.add(op);
            }
        }
        return out;
    }

    synchronized void delete(String name) {
        get(name);
        operations.remove(name);
    }
}
