package io.sandboxops.app.console.testing;

import io.sandboxops.app.console.dialog.DialogService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Answers every question as the test says and remembers what was shown. */
public final class RecordingDialogService implements DialogService {
    public boolean answer = true;
    public String typed = "";
    /** The answers to {@link #askText}, in order; none left answers as a cancel. */
    public final java.util.Deque<String> texts = new java.util.ArrayDeque<>();
    public List<Path> filesToOpen = List.of();
    public Optional<Path> saveTo = Optional.empty();
    public final List<String> shown = new ArrayList<>();

    @Override
    public void showError(String title, String message) {
        shown.add("error: " + title + ": " + message);
    }

    @Override
    public void showException(String title, Throwable error) {
        shown.add("exception: " + title + ": " + error);
    }

    @Override
    public boolean confirm(String title, String message, String confirmLabel) {
        shown.add("confirm: " + title + ": " + message);
        return answer;
    }

    @Override
    public boolean confirmByTyping(String title, String message, String expected) {
        shown.add("type: " + title + ": " + message);
        return answer && expected.equals(typed);
    }

    @Override
    public Optional<String> askText(String title, String message, String initial) {
        shown.add("ask: " + title + ": " + message);
        return Optional.ofNullable(texts.poll());
    }

    @Override
    public List<Path> chooseFilesToOpen(String title) {
        return filesToOpen;
    }

    @Override
    public Optional<Path> chooseSaveFile(String title, String suggestedName) {
        return saveTo;
    }
}
