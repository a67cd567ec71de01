package io.sandboxops.app.console.files;

import io.sandboxops.app.console.status.HumanReadable;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** One upload or download, with its progress, speed and a cancel that the transferring streams obey. */
public final class Transfer {

    public enum Direction { UPLOAD, DOWNLOAD }

    public enum State { RUNNING, DONE, FAILED, CANCELLED, REFUSED }

    private final Direction direction;
    private final String name;
    private final long size;
    private final long startNanos;
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.RUNNING);

    Transfer(Direction direction, String name, long size, long startNanos) {
        this.direction = direction;
        this.name = name;
        this.size = size;
        this.startNanos = startNanos;
        detail.set("0 B of " + HumanReadable.bytes(size));
    }

    public Direction direction() {
        return direction;
    }

    /** The file's path on the side it goes to. */
    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    /** Asks the transfer to stop; it ends as {@link State#CANCELLED} and leaves no partial file. */
    public void cancel() {
        cancelRequested.set(true);
    }

    boolean isCancelRequested() {
        return cancelRequested.get();
    }

    void progress(long done, long total, long nowNanos) {
        long of = total > 0 ? total : size;
        progress.set(of <= 0 ? 1 : (double) done / of);
        double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
        detail.set(HumanReadable.bytes(done) + " of " + HumanReadable.bytes(of) + " · " + HumanReadable.speed(done / seconds));
    }

    void finish(State end, String text) {
        state.set(end);
        if (end == State.DONE) {
            progress.set(1);
        }
        detail.set(text);
    }

    /** 0..1 */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** Bytes done, total and speed while running; the outcome after. */
    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public State state() {
        return state.get();
    }
}
