package io.sandboxops.core.bench;

import java.util.Optional;

/**
 * Runs {@link DockerStartBenchmark} from the test classpath until {@code sandboxctl bench start} does:
 * {@code java -cp <test classpath> io.sandboxops.core.bench.DockerStartBenchmarkRun [rounds] [image]}.
 */
public final class DockerStartBenchmarkRun {
    private DockerStartBenchmarkRun() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Optional<String> image = args.length > 1 ? Optional.of(args[1]) : Optional.empty();
        DockerStartBenchmark.Report r = DockerStartBenchmark.run(rounds, image, done -> System.err.print("."));
        System.err.println();
        System.out.print(r.text());
    }
}
