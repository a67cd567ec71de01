package io.sandboxops.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code bench start} says of a warm Cloud Run command beside the floor of a Storage mailbox. */
class CloudRunStartReportTest {
    private static CloudRunStartBenchmark.Report report(List<Double> warm, List<Double> floor) {
        StartFigure first = new StartFigure("first", List.of(500.0), "cold", List.of(15_000.0), StartFigure.Goal.millis(600));
        StartFigure warmFigure = new StartFigure("Cloud Run warm command (true)", warm, "mailbox floor: 4 Storage calls", floor,
                StartFigure.Goal.millis(200));
        return new CloudRunStartBenchmark.Report(first, warmFigure, 55.0, 120.0, 17.0, "get=1");
    }

    @Test
    void aFloorOverTheGoalSaysThatNoStorageMailboxMeetsIt() {
        List<String> lines = report(List.of(390.0, 400.0, 410.0), List.of(230.0, 240.0, 250.0)).lines();
        assertThat(lines.get(1)).contains("MISSED");
        assertThat(lines.get(2)).contains("median 240.0 ms, over the 200 ms goal by itself: no Storage mailbox meets that goal")
                .contains("spends 160.0 ms above it").contains("one Storage GET alone: median 55.0 ms");
    }

    @Test
    void aFloorUnderTheGoalSaysSo() {
        List<String> lines = report(List.of(250.0), List.of(120.0)).lines();
        assertThat(lines.get(2)).contains("median 120.0 ms, under the 200 ms goal").doesNotContain("no Storage mailbox");
    }
}
