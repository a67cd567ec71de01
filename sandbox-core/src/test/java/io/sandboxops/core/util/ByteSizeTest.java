package io.sandboxops.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void decimalUnitsStateTransferSizesAsTheLimitIsStated() {
        assertThat(ByteSize.decimal(0)).isEqualTo("0 B");
        assertThat(ByteSize.decimal(999)).isEqualTo("999 B");
        assertThat(ByteSize.decimal(1000)).isEqualTo("1.0 kB");
        assertThat(ByteSize.decimal(1_500)).isEqualTo("1.5 kB");
        assertThat(ByteSize.decimal(9_960)).isEqualTo("10 kB");
        assertThat(ByteSize.decimal(42_000_000)).isEqualTo("42 MB");
        assertThat(ByteSize.decimal(500_000_000)).isEqualTo("500 MB");
        assertThat(ByteSize.decimal(32L * 1024 * 1024 * 1024)).isEqualTo("34 GB");
        assertThat(ByteSize.decimal(Long.MAX_VALUE)).isEqualTo("9.2 EB");
    }

    @Test
    void binaryUnitsStateMemoryAsDockerAndCloudRunTakeIt() {
        assertThat(ByteSize.binary(1023)).isEqualTo("1023 B");
        assertThat(ByteSize.binary(1024)).isEqualTo("1.0 KiB");
        assertThat(ByteSize.binary(512L * 1024 * 1024)).isEqualTo("512 MiB");
        assertThat(ByteSize.binary(1536L * 1024 * 1024)).isEqualTo("1.5 GiB");
        assertThat(ByteSize.binary(512L * 1024 * 1024 * 1024)).isEqualTo("512 GiB");
    }

    @Test
    void aNegativeCountIsShownAsItIsNotHidden() {
        assertThat(ByteSize.decimal(-1)).isEqualTo("-1 B");
    }
}
